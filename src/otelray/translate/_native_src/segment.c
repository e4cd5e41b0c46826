/* One span → its segment documents (to_xray/segment.py make_segments, annotations.py).
 *
 * Declines (returns 0) every span the Python translator must handle: an aws.xray.annotations list
 * naming resource attributes, invalid ids (links' too), NaN/Inf headed for the
 * document, documents over the size limit. Exception events (their cause block) and
 * aws.xray.metadata.* values (their JSON) are read by the Python modules through callbacks. Field
 * order is that of contrib's Segment struct; maps are written with sorted keys.
 */
#include "native.h"

#define MAX_TRACE_AGE_SECONDS (28.0 * 24 * 3600)
#define MAX_TRACE_SKEW_SECONDS (5.0 * 60)
#define STATUS_CODE_ERROR 2

static const char HEXDIGITS[] = "0123456789abcdef";

static bool all_zero(Slice s) {
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i]) return false;
    return true;
}

static void put_hex(Buf *b, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char pair[2] = {HEXDIGITS[p[i] >> 4], HEXDIGITS[p[i] & 15]};
        buf_put(b, pair, 2);
    }
}

/* ---- error / fault / throttle and cause -------------------------------------------------- */

static void flags(Attrs *a, bool status_error, bool *error, bool *fault, bool *throttle) {
    Attr *code_attr = has_value(a->by_id[KEY_HTTP_STATUS_CODE]) ? a->by_id[KEY_HTTP_STATUS_CODE]
                                                                 : a->by_id[KEY_HTTP_RESPONSE_STATUS_CODE];
    *error = *throttle = false;
    *fault = status_error;
    if (!has_value(code_attr)) return;
    int64_t code = as_int(code_attr);
    if (code < 400 || code > 599) return;
    *fault = code > 499;
    *error = code <= 499;
    *throttle = code == 429;
}

/* new_id(): a new reference to the id (counted for a replay) and its text, or NULL on an error. */
static PyObject *draw_id(const Options *opt, Scratch *scratch, Slice *text) {
    PyObject *id = PyObject_CallNoArgs(opt->new_id);
    if (id == NULL) return NULL;
    scratch->ids_used++;
    Py_ssize_t n;
    const char *utf8 = PyUnicode_Check(id) ? PyUnicode_AsUTF8AndSize(id, &n) : NULL;
    if (utf8 == NULL) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "new_id() must return a str");
        Py_DECREF(id);
        return NULL;
    }
    *text = (Slice){(const uint8_t *)utf8, (size_t)n};
    return id;
}

static bool aws_sdk_span(Attrs *a) {
    Attr *rpc = a->by_id[KEY_RPC_SYSTEM];
    return rpc != NULL && SLICE_IS(as_str(rpc), "aws-api");
}

/* Exception and AWS SDK failure events: the Python modules parse their stack traces. */
static int write_event_cause(Buf *b, SpanRec *span, bool aws_sdk, const Options *opt, Scratch *scratch) {
    PyObject *events = PyList_New((Py_ssize_t)span->nevents);
    if (events == NULL) return -1;
    for (size_t i = 0; i < span->nevents; i++) {
        PyObject *e = PyBytes_FromStringAndSize((const char *)span->events[i].p, (Py_ssize_t)span->events[i].n);
        if (e == NULL) {
            Py_DECREF(events);
            return -1;
        }
        PyList_SET_ITEM(events, (Py_ssize_t)i, e);
    }
    PyObject *r = PyObject_CallFunction(opt->helpers.exceptions, "OLO", events, (long long)span->kind,
                                        aws_sdk ? Py_True : Py_False);
    Py_DECREF(events);
    if (r == NULL) return -1;
    PyObject *cause;
    long used;
    if (!PyArg_ParseTuple(r, "Ol", &cause, &used)) {
        Py_DECREF(r);
        return -1;
    }
    scratch->ids_used += used;
    char *p;
    Py_ssize_t n;
    if (cause == Py_None) { /* something only the whole Python translation reports */
        b->decline = true;
    } else if (PyBytes_AsStringAndSize(cause, &p, &n) < 0) {
        Py_DECREF(r);
        return -1;
    } else {
        BUF_LIT(b, ",\"cause\":");
        buf_put(b, p, (size_t)n);
    }
    Py_DECREF(r);
    return 1;
}

/* 1 written, 0 none, -1 Python error (new_id). */
static int write_cause(Buf *b, SpanRec *span, Attrs *a, const Options *opt, Scratch *scratch) {
    bool aws_sdk = aws_sdk_span(a);
    for (size_t i = 0; i < span->nevents; i++) {
        Slice name = event_name(span->events[i]);
        if (SLICE_IS(name, "exception") || (aws_sdk && SLICE_IS(name, "HTTP request failure")))
            return write_event_cause(b, span, aws_sdk, opt, scratch);
    }
    if (span->status_code != STATUS_CODE_ERROR) return 0;
    Slice message = span->status_message;
    Attr *text = a->by_id[KEY_HTTP_STATUS_TEXT];
    if (text != NULL) {
        text->consumed = 1;
        if (message.n == 0) message = as_str(text);
    }
    if (message.n == 0) return 0;
    Slice id_text;
    PyObject *id = draw_id(opt, scratch, &id_text);
    if (id == NULL) return -1;
    BUF_LIT(b, ",\"cause\":{\"exceptions\":[{\"id\":");
    json_str(b, id_text);
    BUF_LIT(b, ",\"message\":");
    json_str(b, message);
    BUF_LIT(b, ",\"type\":\"\"}]}");
    Py_DECREF(id);
    return 1;
}

/* ---- the document ------------------------------------------------------------------------ */

static bool trace_id_ok(Slice trace_id, const Options *opt);

static bool ids_ok(SpanRec *span, const Options *opt) {
    if (span->span_id.n != 8 || all_zero(span->span_id)) return false;
    if (span->parent_id.n != 0 && span->parent_id.n != 8) return false;
    if (span->parent_id.n == 8 && all_zero(span->parent_id)) span->parent_id.n = 0;
    return trace_id_ok(span->trace_id, opt);
}

static bool trace_id_ok(Slice trace_id, const Options *opt) {
    if (trace_id.n != 16 || all_zero(trace_id)) return false;
    if (!opt->skip_timestamp_validation) {
        const uint8_t *t = trace_id.p;
        double epoch = (double)(((uint32_t)t[0] << 24) | ((uint32_t)t[1] << 16) | ((uint32_t)t[2] << 8) | t[3]);
        if (opt->now - epoch > MAX_TRACE_AGE_SECONDS || epoch - opt->now > MAX_TRACE_SKEW_SECONDS) return false;
    }
    return true;
}

static void put_trace_id(Buf *b, Slice trace_id) {
    BUF_LIT(b, "\"1-");
    put_hex(b, trace_id.p, 4);
    buf_ch(b, '-');
    put_hex(b, trace_id.p + 4, 12);
    buf_ch(b, '"');
}

/* links.make_links; false when a link would fail the span (the Python translator reports it). */
static bool write_links(Buf *b, SpanRec *span, const Options *opt) {
    BUF_LIT(b, ",\"links\":[");
    for (size_t i = 0; i < span->nlinks; i++) {
        Slice trace_id, span_id;
        bool has_attributes;
        link_read(span->links[i], &trace_id, &span_id, &has_attributes);
        if (!trace_id_ok(trace_id, opt) || (span_id.n != 0 && span_id.n != 8)) return false;
        if (i) buf_ch(b, ',');
        BUF_LIT(b, "{\"trace_id\":");
        put_trace_id(b, trace_id);
        BUF_LIT(b, ",\"id\":\"");
        put_hex(b, span_id.p, span_id.n);
        buf_ch(b, '"');
        if (has_attributes) {
            BUF_LIT(b, ",\"attributes\":");
            json_raw_map(b, span->links[i], 4, 0);
        }
        buf_ch(b, '}');
    }
    buf_ch(b, ']');
    return true;
}

enum { DOC_PLAIN, DOC_LOCAL_ROOT, DOC_DEPENDENCY, DOC_SERVICE };

/* Which document of a span is written, and with which ids (hex text). */
typedef struct {
    int mode;
    Slice id, parent;
} Plan;

static void write_head(Buf *b, SpanRec *span, const ResourceInfo *res, Attrs *a, Slice name, int cut_bytes,
                       bool in_progress, const Options *opt, const Plan *plan) {
    BUF_LIT(b, "{\"name\":");
    json_str(b, name);
    if (cut_bytes > 0 && !b->failed) { /* the bytes of a character cut in two, before the closing quote */
        b->len--;
        for (int i = 0; i < cut_bytes; i++) BUF_LIT(b, "\\ufffd");
        buf_ch(b, '"');
    }
    BUF_LIT(b, ",\"id\":");
    json_str(b, plan->id);
    BUF_LIT(b, ",\"start_time\":");
    json_float(b, (double)span->start / 1e9);
    if (res->has_service) {
        BUF_LIT(b, ",\"service\":");
        buf_put(b, res->service_json.p, res->service_json.n);
    }
    if (res->has_origin) {
        BUF_LIT(b, ",\"origin\":");
        buf_put(b, res->origin_json.p, res->origin_json.n);
    }
    Attr *user = a->by_id[KEY_ENDUSER_ID];
    if (user != NULL && as_str(user).n) {
        BUF_LIT(b, ",\"user\":");
        json_str(b, as_str(user));
    }
    /* a split local root keeps its links on the segment that receives (CONSUMER) or on the call */
    bool consumer = span->kind == KIND_CONSUMER;
    bool links = plan->mode == DOC_DEPENDENCY ? !consumer : plan->mode == DOC_SERVICE ? consumer : true;
    if (span->nlinks && links && !write_links(b, span, opt)) b->decline = true;
    BUF_LIT(b, ",\"trace_id\":");
    put_trace_id(b, span->trace_id);
    if (in_progress) {
        BUF_LIT(b, ",\"in_progress\":true");
    } else {
        BUF_LIT(b, ",\"end_time\":");
        json_float(b, (double)span->end / 1e9);
    }
}

static void put_bool_field(Buf *b, const char *field, bool value) {
    bool first = false;
    json_key(b, field, &first);
    if (value) BUF_LIT(b, "true"); else BUF_LIT(b, "false");
}

/* The name a split local root's documents carry instead of the usual one (segment.py). */
static void override_name(Buf *name, int *cut_bytes, Attrs *a, const ResourceInfo *res, int mode) {
    Attr *remote = a->by_id[KEY_AWS_REMOTE_SERVICE], *local = a->by_id[KEY_AWS_LOCAL_SERVICE];
    Slice chosen;
    if (mode == DOC_DEPENDENCY && has_value(remote)) {
        chosen = trim_sdk_prefix(as_str(remote), aws_sdk_span(a));
    } else if (mode == DOC_SERVICE && has_value(local)) {
        chosen = as_str(local);
    } else if (mode == DOC_SERVICE && res->service_name.n) {
        chosen = res->service_name;
    } else {
        return;
    }
    name->len = 0;
    buf_put(name, chosen.p, chosen.n);
    *cut_bytes = 0;
}

static int write_document(Buf *b, SpanRec *span, const ResourceInfo *res, const Options *opt, Scratch *scratch,
                          const Plan *plan, Attrs *a, bool in_progress) {
    Buf *name = &scratch->name, *ns = &scratch->ns, *sql = &scratch->sql;
    name->len = ns->len = sql->len = 0;
    name->decline = ns->decline = sql->decline = false;
    int cut_bytes, mode = plan->mode;
    if (!make_name(name, ns, a, res->service_name, &cut_bytes)) return 0;
    override_name(name, &cut_bytes, a, res, mode);
    bool subsegment = span->kind != KIND_SERVER && span->kind != KIND_CONSUMER && plan->parent.n > 0;
    write_head(b, span, res, a, (Slice){(const uint8_t *)name->p, name->len}, cut_bytes, in_progress, opt, plan);
    bool written, error, fault, throttle;
    size_t mark = b->len;
    if (!make_http(b, a, &opt->helpers, &scratch->url)) return -1;
    if (mode == DOC_SERVICE) b->len = mark; /* the service segment has no http block */
    flags(a, span->status_code == STATUS_CODE_ERROR, &error, &fault, &throttle);
    put_bool_field(b, "fault", fault);
    put_bool_field(b, "error", error);
    put_bool_field(b, "throttle", throttle);
    if (write_cause(b, span, a, opt, scratch) < 0) return -1;
    mark = b->len;
    make_aws(b, a, res->is_aws, res->account, res->aws_parts, &written);
    if (mode == DOC_SERVICE && written) { /* only the resource's parts: the call's fields stay on the call */
        b->len = mark;
        BUF_LIT(b, ",\"aws\":{");
        buf_put(b, res->aws_parts.p, res->aws_parts.n);
        buf_ch(b, '}');
    }
    make_sql(sql, a);
    restore_indexed(span, a);
    if (write_attributes(b, span, res, opt, !subsegment, mode == DOC_SERVICE, scratch) < 0) return -1;
    bool dependency = mode == DOC_DEPENDENCY;
    if ((mode == DOC_PLAIN && ns->len) || dependency) {
        BUF_LIT(b, ",\"namespace\":");
        json_str(b, ns->len ? (Slice){(const uint8_t *)ns->p, ns->len} : SLICE_LIT("remote"));
    }
    if (plan->parent.n) {
        BUF_LIT(b, ",\"parent_id\":");
        json_str(b, plan->parent);
    }
    if ((mode == DOC_PLAIN && subsegment) || dependency) BUF_LIT(b, ",\"type\":\"subsegment\"");
    buf_put(b, sql->p, sql->len);
    BUF_LIT(b, "}\n");
    if (name->failed || ns->failed || sql->failed || scratch->url.failed) b->failed = true;
    if (sql->decline) b->decline = true;
    return 1;
}

/* segment.make_segments: one document, or two for a CLIENT/PRODUCER/CONSUMER local root (the call
 * as a subsegment of a new service segment, linked by a fresh id). */
int segment_write(Buf *b, SpanRec *span, const ResourceInfo *res, const Options *opt, Scratch *scratch) {
    scratch->split = 0;
    if (!ids_ok(span, opt)) return 0;
    Attrs a;
    bool in_progress, local_root;
    if (!index_attributes(&a, span, opt, &in_progress, &local_root, false)) return 0;
    char id_hex[16], parent_hex[16];
    for (int i = 0; i < 8; i++) {
        id_hex[2 * i] = HEXDIGITS[span->span_id.p[i] >> 4];
        id_hex[2 * i + 1] = HEXDIGITS[span->span_id.p[i] & 15];
        if (span->parent_id.n) {
            parent_hex[2 * i] = HEXDIGITS[span->parent_id.p[i] >> 4];
            parent_hex[2 * i + 1] = HEXDIGITS[span->parent_id.p[i] & 15];
        }
    }
    Slice id = {(const uint8_t *)id_hex, 16}, parent = {(const uint8_t *)parent_hex, span->parent_id.n ? 16 : 0};
    bool outgoing = span->kind == KIND_CLIENT || span->kind == KIND_PRODUCER || span->kind == KIND_CONSUMER;
    if (!local_root || !outgoing) {
        Plan plan = {local_root ? DOC_LOCAL_ROOT : DOC_PLAIN, id, parent};
        return write_document(b, span, res, opt, scratch, &plan, &a, in_progress);
    }
    Slice service;
    PyObject *service_id = draw_id(opt, scratch, &service);
    if (service_id == NULL) return -1;
    Plan call = {DOC_DEPENDENCY, id, service};
    int rc = write_document(b, span, res, opt, scratch, &call, &a, in_progress);
    if (rc == 1) {
        scratch->split = b->len;
        index_attributes(&a, span, opt, &in_progress, &local_root, true);
        Plan segment = {DOC_SERVICE, service, parent};
        rc = write_document(b, span, res, opt, scratch, &segment, &a, in_progress);
    }
    Py_DECREF(service_id);
    return rc;
}
