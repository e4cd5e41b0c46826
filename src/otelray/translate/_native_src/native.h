/* otelray.translate._native — OTLP wire bytes → X-Ray segment documents for the common spans.
 *
 * The rules are those of the Python translator (the to_xray package of otelray.translate, which follows the
 * contrib awsxray exporter); this code mirrors them for spans without events, links or local-root
 * splitting and declines every other span, which the Python translator then handles in place.
 * Shared declarations of the parts: wire.c (protobuf reading and validation), json.c (Go's JSON
 * encoding), keys.c (the attribute keys the blocks read), http.c, aws.c (aws and sql), naming.c,
 * attributes.c (the attribute index, annotations and metadata), segment.c (one span → its
 * documents) and module.c (the Python entry point).
 */
#ifndef OTELRAY_NATIVE_H
#define OTELRAY_NATIVE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    const uint8_t *p;
    size_t n;
} Slice;

#define SLICE_LIT(s) ((Slice){(const uint8_t *)(s), sizeof(s) - 1})

static inline bool slice_eq(Slice a, const char *lit, size_t n) {
    return a.n == n && memcmp(a.p, lit, n) == 0;
}
#define SLICE_IS(a, lit) slice_eq((a), (lit), sizeof(lit) - 1)

/* ---- wire.c ------------------------------------------------------------------------------ */

/* AnyValue kinds as the Python translator sees them (values.py native()). */
enum { V_NONE = 0, V_STR, V_BOOL, V_INT, V_DOUBLE, V_ARRAY, V_KVLIST, V_BYTES };

typedef struct {
    int kind;
    Slice s; /* string, bytes, or the ArrayValue / KeyValueList message */
    int64_t i;
    double d;
} Value;

typedef struct {
    Slice key;
    Value v;
    uint32_t hash;
    int16_t id;       /* a KEY_* of a key some block reads, or -1 */
    uint8_t consumed; /* taken by a block (see segment.c) */
    uint8_t indexed;  /* 1: named in indexed_attributes; 2: in the span's aws.xray.annotations */
} Attr;

#define MAX_ATTRS 128

#define MAX_EVENTS 64

typedef struct {
    Slice trace_id, span_id, parent_id, name, status_message;
    int64_t kind;
    uint64_t start, end;
    int status_code;
    size_t nattrs, nevents, nlinks;
    Attr attrs[MAX_ATTRS];
    Slice events[MAX_EVENTS]; /* Span.Event messages */
    Slice links[MAX_EVENTS];  /* Span.Link messages */
} SpanRec;

typedef struct {
    Slice resource;      /* the Resource message (empty when absent) */
    size_t first, count; /* its spans in Request.spans */
} ResourceRec;

typedef struct {
    ResourceRec *resources;
    size_t nresources, cap_resources;
    Slice *spans;
    size_t nspans, cap_spans;
} Request;

/* Walk the whole request as upb would decode it; false when the payload is anything but plainly
 * well formed (then the Python decoder decides: it raises, or translates). */
bool request_scan(Slice payload, Request *out);
void request_free(Request *r);
/* Read one span; false when it needs the Python translator (see the reasons in wire.c). */
bool span_read(Slice bytes, SpanRec *span);
/* Iterate the AnyValues of an ArrayValue / the (key, value) pairs of a KeyValueList. */
typedef struct {
    const uint8_t *p, *end;
    bool error;     /* set when an item could not be read (merge rules, see value_read) */
    uint32_t field; /* the repeated field iterated; 0 means 1 (ArrayValue / KeyValueList values) */
} Iter;
bool iter_next_value(Iter *it, Value *out);
bool iter_next_pair(Iter *it, Slice *key, Value *out);
bool value_read(Slice bytes, Value *out);
/* A Span.Link's ids and whether it has attributes. */
void link_read(Slice link, Slice *trace_id, Slice *span_id, bool *has_attributes);

/* ---- json.c ------------------------------------------------------------------------------ */

typedef struct {
    char *p;
    size_t len, cap;
    bool failed;  /* out of memory */
    bool decline; /* something only the Python translator writes (NaN, U+10FFFE, …) */
} Buf;

void buf_init(Buf *b);
void buf_free(Buf *b);
void buf_grow(Buf *b, size_t extra);
static inline void buf_put(Buf *b, const void *data, size_t n) {
    if (n == 0) return; /* data may be NULL (an empty scratch buffer) */
    if (b->len + n > b->cap) buf_grow(b, n);
    if (b->failed) return;
    memcpy(b->p + b->len, data, n);
    b->len += n;
}
static inline void buf_ch(Buf *b, char c) {
    if (b->len + 1 > b->cap) buf_grow(b, 1);
    if (b->failed) return;
    b->p[b->len++] = c;
}
#define BUF_LIT(b, lit) buf_put((b), (lit), sizeof(lit) - 1)

void json_str(Buf *b, Slice s);               /* a JSON string, escaped as Go (<, >, &, U+2028/9) */
void json_key(Buf *b, const char *lit, bool *first); /* ,"lit": */
void json_keys(Buf *b, Slice key, bool *first);      /* ,"<escaped key>": */
void json_int(Buf *b, int64_t v);
void json_float(Buf *b, double v);            /* Go's float format; NaN/Inf set decline */
void json_bytes_b64(Buf *b, Slice s);
void json_raw_value(Buf *b, const Value *v, int depth); /* pdata AsRaw() (maps sorted) */
/* The repeated KeyValue `field` of `message` as a sorted JSON object of AsRaw() values. */
void json_raw_map(Buf *b, Slice message, uint32_t field, int depth);

/* ---- keys.c, http.c, aws.c, naming.c ------------------------------------------------------- */

enum {
    KEY_HTTP_URL, KEY_URL_FULL, KEY_HTTP_SCHEME, KEY_URL_SCHEME, KEY_HTTP_HOST, KEY_HTTP_TARGET,
    KEY_HTTP_SERVER_NAME, KEY_NET_HOST_PORT, KEY_HOST_NAME, KEY_NET_HOST_NAME, KEY_NET_PEER_NAME,
    KEY_NET_PEER_PORT, KEY_URL_PATH, KEY_URL_QUERY, KEY_SERVER_ADDRESS, KEY_SERVER_PORT,
    KEY_HTTP_METHOD, KEY_HTTP_REQUEST_METHOD, KEY_HTTP_USER_AGENT, KEY_USER_AGENT_ORIGINAL,
    KEY_HTTP_CLIENT_IP, KEY_CLIENT_ADDRESS, KEY_NET_PEER_IP, KEY_NETWORK_PEER_ADDRESS,
    KEY_HTTP_STATUS_CODE, KEY_HTTP_RESPONSE_STATUS_CODE,
    KEY_HTTP_STATUS_TEXT, KEY_MESSAGE_TYPE, KEY_MESSAGING_PAYLOAD_SIZE,
    KEY_RPC_SYSTEM, KEY_RPC_SERVICE, KEY_RPC_METHOD,
    KEY_AWS_OPERATION, KEY_AWS_ACCOUNT_ID, KEY_AWS_REGION, KEY_AWS_REQUEST_ID, KEY_AWS_REQUESTID,
    KEY_AWS_QUEUE_URL, KEY_AWS_QUEUE_DOT_URL, KEY_AWS_TABLE_NAME, KEY_AWS_TABLE_DOT_NAME,
    KEY_MESSAGING_URL, KEY_AWS_DYNAMODB_TABLE_NAMES,
    KEY_DB_SYSTEM, KEY_DB_CONNECTION_STRING, KEY_DB_NAME, KEY_DB_STATEMENT, KEY_DB_USER,
    KEY_AWS_LOCAL_SERVICE, KEY_AWS_REMOTE_SERVICE, KEY_PEER_SERVICE, KEY_AWS_SERVICE, KEY_AWS_SPAN_KIND,
    KEY_ENDUSER_ID, KEY_AWS_XRAY_INPROGRESS, KEY_AWS_XRAY_ANNOTATIONS,
    KEY_COUNT
};
#define KEY_FIRST_HTTP KEY_HTTP_URL
#define KEY_LAST_HTTP KEY_HTTP_RESPONSE_STATUS_CODE

uint32_t key_hash(Slice key);
int key_id(Slice key, uint32_t hash);
void keys_init(void);

enum { KIND_UNSPECIFIED = 0, KIND_INTERNAL, KIND_SERVER, KIND_CLIENT, KIND_PRODUCER, KIND_CONSUMER };

/* Attribute access with pdata's quirks (values.py). */
typedef struct {
    SpanRec *span;
    Attr *by_id[KEY_COUNT]; /* NULL when absent; in_progress is removed before the blocks run */
} Attrs;

static inline Slice as_str(const Attr *a) {
    return (a != NULL && a->v.kind == V_STR) ? a->v.s : (Slice){(const uint8_t *)"", 0};
}
static inline int64_t as_int(const Attr *a) {
    return (a != NULL && a->v.kind == V_INT) ? a->v.i : 0;
}
/* attrs.get(key) is not None */
static inline bool has_value(const Attr *a) { return a != NULL && a->v.kind != V_NONE; }
static inline Attr *get(Attrs *a, int id) { return a->by_id[id]; }
static inline bool present(Attrs *a, int id) { return a->by_id[id] != NULL; }
static inline void consume(Attrs *a, int id) {
    if (a->by_id[id] != NULL) a->by_id[id]->consumed = 1;
}
#define EMPTY ((Slice){(const uint8_t *)"", 0})


typedef struct {
    PyObject *is_ip;      /* otelray.translate.to_xray.http.is_ip, for IPv6 candidates */
    PyObject *exceptions; /* (events: list[bytes], kind, aws_sdk) -> (cause JSON bytes | None, ids used) */
    PyObject *metadata;   /* (key, value) -> None | (is_default, [(key bytes, JSON bytes)] | None) */
} Helpers;

/* Metadata namespaces other than "default", from aws.xray.metadata.<namespace> attributes. */
typedef struct {
    Slice name;
    PyObject *entries; /* list of (key bytes, JSON bytes), sorted; Py_None for a null namespace */
} Namespace;

typedef struct {
    Namespace items[MAX_ATTRS];
    size_t n;
} Namespaces;

/* Scratch buffers reused from span to span (one set per translate() call). */
typedef struct {
    Buf name, ns, sql, url, annotations, metadata;
    void *entries[2];
    size_t entries_cap[2];
    Namespaces namespaces; /* the aws.xray.metadata namespaces of the current document */
    long ids_used; /* new_id() calls for the current span, replayed if it falls back */
    size_t split;  /* a split local root: where the second document starts in the output (else 0) */
} Scratch;

/* The http block written to b (when the span has one); false on a Python error (is_ip). */
bool make_http(Buf *b, Attrs *a, const Helpers *h, Buf *url);
/* An event's name, and the message.type / payload size attributes (http.py _received_size). */
Slice event_name(Slice event);
int64_t event_received_size(Slice event);
/* The aws block (*written: whether there is one) and the sql block, each consuming their keys. */
void make_aws(Buf *b, Attrs *a, bool is_aws, Slice account, Slice parts, bool *written);
void make_sql(Buf *b, Attrs *a);
bool make_name(Buf *name_out, Buf *namespace_out, Attrs *a, Slice service_name, int *cut_bytes);
/* naming.trim_aws_sdk_prefix: AWS.SDK. or AWS:: off a remote service name of an AWS SDK span. */
Slice trim_sdk_prefix(Slice name, bool aws_sdk);

/* ---- attributes.c, segment.c -------------------------------------------------------------- */

typedef struct {
    PyObject *indexed; /* tuple of str */
    Slice *indexed_names;
    uint32_t *indexed_hashes;
    size_t nindexed;
    bool index_all, allow_dot, skip_timestamp_validation;
    long long max_document_bytes;
    double now;
    PyObject *new_id;
    Helpers helpers;
} Options;

typedef struct {
    Slice service_json, origin_json, account, aws_parts, service_name;
    bool has_service, has_origin, is_aws;
    size_t nannotations, nmetadata;
    Slice *annotation_keys, *annotation_values, *metadata_keys, *metadata_values;
} ResourceInfo;

/* Index a span's attributes for a document (service: a split local root's service segment, which
 * leaves out the remote attributes); false when the span needs the Python translator. */
bool index_attributes(Attrs *a, SpanRec *span, const Options *opt, bool *in_progress, bool *local_root, bool service);
/* add_special_attributes: consumed attributes named in indexed_attributes come back. */
void restore_indexed(SpanRec *span, Attrs *a);
/* annotations and metadata; store_resource: the resource's too; resource_only_metadata: only its. */
int write_attributes(Buf *b, SpanRec *span, const ResourceInfo *res, const Options *opt, bool store_resource,
                     bool resource_only_metadata, Scratch *scratch); /* -1: a Python error */

/* 1: written to b; 0: declined (the Python translator takes the span); -1: a Python error. */
int segment_write(Buf *b, SpanRec *span, const ResourceInfo *res, const Options *opt, Scratch *scratch);
void scratch_free(Scratch *s);

#endif
