/* The http, aws and sql blocks and the segment name (to_xray/http.py, aws.py, sql.py, naming.py).
 *
 * Each block reads the attributes by key id (Attrs.by_id) and marks what it consumes, so that the
 * attributes left over become annotations and metadata exactly as in the Python translator.
 */
#include "native.h"

/* ---- keys -------------------------------------------------------------------------------- */

static const char *const KEY_NAMES[KEY_COUNT] = {
    [KEY_HTTP_URL] = "http.url", [KEY_URL_FULL] = "url.full", [KEY_HTTP_SCHEME] = "http.scheme",
    [KEY_URL_SCHEME] = "url.scheme", [KEY_HTTP_HOST] = "http.host", [KEY_HTTP_TARGET] = "http.target",
    [KEY_HTTP_SERVER_NAME] = "http.server_name", [KEY_NET_HOST_PORT] = "net.host.port",
    [KEY_HOST_NAME] = "host.name", [KEY_NET_HOST_NAME] = "net.host.name", [KEY_NET_PEER_NAME] = "net.peer.name",
    [KEY_NET_PEER_PORT] = "net.peer.port", [KEY_URL_PATH] = "url.path", [KEY_URL_QUERY] = "url.query",
    [KEY_SERVER_ADDRESS] = "server.address", [KEY_SERVER_PORT] = "server.port",
    [KEY_HTTP_METHOD] = "http.method", [KEY_HTTP_REQUEST_METHOD] = "http.request.method",
    [KEY_HTTP_USER_AGENT] = "http.user_agent", [KEY_USER_AGENT_ORIGINAL] = "user_agent.original",
    [KEY_HTTP_CLIENT_IP] = "http.client_ip", [KEY_CLIENT_ADDRESS] = "client.address",
    [KEY_NET_PEER_IP] = "net.peer.ip", [KEY_NETWORK_PEER_ADDRESS] = "network.peer.address",
    [KEY_HTTP_STATUS_CODE] = "http.status_code", [KEY_HTTP_RESPONSE_STATUS_CODE] = "http.response.status_code",
    [KEY_HTTP_STATUS_TEXT] = "http.status_text", [KEY_MESSAGE_TYPE] = "message.type",
    [KEY_MESSAGING_PAYLOAD_SIZE] = "messaging.message_payload_size_bytes",
    [KEY_RPC_SYSTEM] = "rpc.system", [KEY_RPC_SERVICE] = "rpc.service", [KEY_RPC_METHOD] = "rpc.method",
    [KEY_AWS_OPERATION] = "aws.operation", [KEY_AWS_ACCOUNT_ID] = "aws.account_id",
    [KEY_AWS_REGION] = "aws.region", [KEY_AWS_REQUEST_ID] = "aws.request_id",
    [KEY_AWS_REQUESTID] = "aws.requestId", [KEY_AWS_QUEUE_URL] = "aws.queue_url",
    [KEY_AWS_QUEUE_DOT_URL] = "aws.queue.url", [KEY_AWS_TABLE_NAME] = "aws.table_name",
    [KEY_AWS_TABLE_DOT_NAME] = "aws.table.name", [KEY_MESSAGING_URL] = "messaging.url",
    [KEY_AWS_DYNAMODB_TABLE_NAMES] = "aws.dynamodb.table_names",
    [KEY_DB_SYSTEM] = "db.system", [KEY_DB_CONNECTION_STRING] = "db.connection_string",
    [KEY_DB_NAME] = "db.name", [KEY_DB_STATEMENT] = "db.statement", [KEY_DB_USER] = "db.user",
    [KEY_AWS_LOCAL_SERVICE] = "aws.local.service", [KEY_AWS_REMOTE_SERVICE] = "aws.remote.service",
    [KEY_PEER_SERVICE] = "peer.service", [KEY_AWS_SERVICE] = "aws.service",
    [KEY_AWS_SPAN_KIND] = "aws.span.kind", [KEY_ENDUSER_ID] = "enduser.id",
    [KEY_AWS_XRAY_INPROGRESS] = "aws.xray.inprogress", [KEY_AWS_XRAY_ANNOTATIONS] = "aws.xray.annotations",
};

#define TABLE_SIZE 256
static int16_t key_table[TABLE_SIZE]; /* key id + 1, 0 = empty */
static uint32_t key_hashes[KEY_COUNT];

uint32_t key_hash(Slice key) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < key.n; i++) h = (h ^ key.p[i]) * 16777619u;
    return h;
}

void keys_init(void) {
    memset(key_table, 0, sizeof key_table);
    for (int id = 0; id < KEY_COUNT; id++) {
        Slice s = {(const uint8_t *)KEY_NAMES[id], strlen(KEY_NAMES[id])};
        uint32_t h = key_hash(s);
        key_hashes[id] = h;
        size_t slot = h & (TABLE_SIZE - 1);
        while (key_table[slot] != 0) slot = (slot + 1) & (TABLE_SIZE - 1);
        key_table[slot] = (int16_t)(id + 1);
    }
}

int key_id(Slice key, uint32_t hash) {
    size_t slot = hash & (TABLE_SIZE - 1);
    while (key_table[slot] != 0) {
        int id = key_table[slot] - 1;
        if (key_hashes[id] == hash && strlen(KEY_NAMES[id]) == key.n && memcmp(KEY_NAMES[id], key.p, key.n) == 0)
            return id;
        slot = (slot + 1) & (TABLE_SIZE - 1);
    }
    return -1;
}

static inline Attr *get(Attrs *a, int id) { return a->by_id[id]; }
static inline bool present(Attrs *a, int id) { return a->by_id[id] != NULL; }
static inline void consume(Attrs *a, int id) {
    if (a->by_id[id] != NULL) a->by_id[id]->consumed = 1;
}
static const Slice EMPTY = {(const uint8_t *)"", 0};

/* ---- http -------------------------------------------------------------------------------- */

enum {
    P_HTTP_URL, P_SCHEME, P_HTTP_HOST, P_TARGET, P_SERVER_NAME, P_NET_HOST_PORT, P_HOST_NAME, P_NET_HOST_NAME,
    P_NET_PEER_NAME, P_NET_PEER_PORT, P_URL_PATH, P_URL_QUERY, P_SERVER_ADDRESS, P_SERVER_PORT, P_NET_PEER_IP,
    P_COUNT
};

typedef struct {
    int8_t part;
    bool marks_http, marks_url, port;
} UrlKey;

static const UrlKey URL_KEYS[KEY_SERVER_PORT + 1] = {
    [KEY_HTTP_URL] = {P_HTTP_URL, true, true, false}, [KEY_URL_FULL] = {P_HTTP_URL, true, true, false},
    [KEY_HTTP_SCHEME] = {P_SCHEME, true, false, false}, [KEY_URL_SCHEME] = {P_SCHEME, true, false, false},
    [KEY_HTTP_HOST] = {P_HTTP_HOST, true, true, false}, [KEY_HTTP_TARGET] = {P_TARGET, true, false, false},
    [KEY_HTTP_SERVER_NAME] = {P_SERVER_NAME, true, true, false},
    [KEY_NET_HOST_PORT] = {P_NET_HOST_PORT, true, false, true},
    [KEY_HOST_NAME] = {P_HOST_NAME, false, true, false}, [KEY_NET_HOST_NAME] = {P_NET_HOST_NAME, false, true, false},
    [KEY_NET_PEER_NAME] = {P_NET_PEER_NAME, false, true, false},
    [KEY_NET_PEER_PORT] = {P_NET_PEER_PORT, false, false, true},
    [KEY_URL_PATH] = {P_URL_PATH, true, false, false}, [KEY_URL_QUERY] = {P_URL_QUERY, true, false, false},
    [KEY_SERVER_ADDRESS] = {P_SERVER_ADDRESS, false, true, false},
    [KEY_SERVER_PORT] = {P_SERVER_PORT, false, false, true},
};

typedef struct {
    bool set;
    Slice text;
    char num[24];
} Part;

typedef struct {
    Slice method, user_agent, client_ip;
    bool has_client_ip, has_status, has_http, has_url, has_peer_addr;
    int64_t status;
    Part parts[P_COUNT];
} HttpRequest;

static int ipv4_octet(const uint8_t **pp, const uint8_t *end) {
    const uint8_t *p = *pp;
    size_t n = 0;
    int v = 0;
    while (p + n < end && n < 4 && p[n] >= '0' && p[n] <= '9') v = v * 10 + (p[n++] - '0');
    if (n == 0 || n > 3 || v > 255 || (n > 1 && p[0] == '0')) return -1;
    *pp = p + n;
    return v;
}

/* http.is_ip: dotted IPv4 without leading zeros here; IPv6 candidates asked of Python. */
static int is_ip(Slice text, const Helpers *h) {
    const uint8_t *p = text.p, *end = text.p + text.n;
    bool v4 = true;
    for (int i = 0; i < 4 && v4; i++) {
        if (ipv4_octet(&p, end) < 0) v4 = false;
        else if (i < 3) {
            if (p < end && *p == '.') p++;
            else v4 = false;
        }
    }
    if (v4 && p == end) return 1;
    if (memchr(text.p, ':', text.n) == NULL || memchr(text.p, '%', text.n) != NULL) return 0;
    PyObject *s = PyUnicode_DecodeUTF8((const char *)text.p, (Py_ssize_t)text.n, "strict");
    if (s == NULL) return -1;
    PyObject *r = PyObject_CallOneArg(h->is_ip, s);
    Py_DECREF(s);
    if (r == NULL) return -1;
    int yes = PyObject_IsTrue(r);
    Py_DECREF(r);
    return yes;
}

static void set_part(Part *part, const Attr *attr, bool port) {
    part->set = true;
    part->text = as_str(attr);
    if (part->text.n == 0 && port) {
        int n = snprintf(part->num, sizeof part->num, "%lld", (long long)as_int(attr));
        part->text = (Slice){(const uint8_t *)part->num, (size_t)n};
    }
}

static int take_client_ip(HttpRequest *r, int id, const Attr *attr, const Helpers *h) {
    Slice text = as_str(attr);
    int ip;
    switch (id) {
    case KEY_HTTP_CLIENT_IP:
        r->client_ip = text;
        r->has_client_ip = text.n > 0;
        r->has_http = true;
        break;
    case KEY_CLIENT_ADDRESS:
        if ((ip = is_ip(text, h)) < 0) return -1;
        if (ip) {
            r->client_ip = text;
            r->has_client_ip = true;
        }
        break;
    case KEY_NET_PEER_IP:
        if (!r->has_client_ip && text.n > 0) {
            r->client_ip = text;
            r->has_client_ip = true;
        }
        r->parts[P_NET_PEER_IP].set = true;
        r->parts[P_NET_PEER_IP].text = text;
        r->has_url = r->has_peer_addr = true;
        break;
    default: /* network.peer.address */
        if ((ip = is_ip(text, h)) < 0) return -1;
        if (ip) {
            if (!r->has_client_ip) {
                r->client_ip = text;
                r->has_client_ip = true;
            }
            r->has_url = r->has_peer_addr = true;
        }
    }
    return 0;
}

static int scan_http(HttpRequest *r, Attrs *a, const Helpers *h) {
    SpanRec *span = a->span;
    for (size_t i = 0; i < span->nattrs; i++) {
        Attr *attr = &span->attrs[i];
        int id = attr->id;
        if (id < KEY_FIRST_HTTP || id > KEY_LAST_HTTP || a->by_id[id] != attr) continue;
        attr->consumed = 1;
        if (id <= KEY_SERVER_PORT) {
            const UrlKey *k = &URL_KEYS[id];
            set_part(&r->parts[k->part], attr, k->port);
            r->has_http |= k->marks_http;
            r->has_url |= k->marks_url;
        } else if (id == KEY_HTTP_STATUS_CODE || id == KEY_HTTP_RESPONSE_STATUS_CODE) {
            r->status = as_int(attr);
            r->has_status = r->has_http = true;
        } else if (id == KEY_HTTP_METHOD || id == KEY_HTTP_REQUEST_METHOD) {
            r->method = as_str(attr);
            r->has_http = true;
        } else if (id == KEY_HTTP_USER_AGENT || id == KEY_USER_AGENT_ORIGINAL) {
            r->user_agent = as_str(attr);
            r->has_http = true;
        } else if (take_client_ip(r, id, attr, h) < 0) {
            return -1;
        }
    }
    return 0;
}

static Slice part_or(const HttpRequest *r, int part, Slice fallback) {
    return r->parts[part].set ? r->parts[part].text : fallback;
}

static void write_url(Buf *u, const HttpRequest *r, Slice scheme, Slice host, Slice port) {
    buf_put(u, scheme.p, scheme.n);
    BUF_LIT(u, "://");
    buf_put(u, host.p, host.n);
    if (port.n > 0 && !(SLICE_IS(scheme, "http") && SLICE_IS(port, "80")) &&
        !(SLICE_IS(scheme, "https") && SLICE_IS(port, "443"))) {
        buf_ch(u, ':');
        buf_put(u, port.p, port.n);
    }
    if (r->parts[P_TARGET].set) {
        buf_put(u, r->parts[P_TARGET].text.p, r->parts[P_TARGET].text.n);
        return;
    }
    Slice path = part_or(r, P_URL_PATH, SLICE_LIT("/"));
    buf_put(u, path.p, path.n);
    if (r->parts[P_URL_QUERY].set) {
        Slice q = r->parts[P_URL_QUERY].text;
        if (q.n == 0 || q.p[0] != '?') buf_ch(u, '?');
        buf_put(u, q.p, q.n);
    }
}

static void build_url(Buf *u, const HttpRequest *r, bool server) {
    if (r->parts[P_HTTP_URL].set) {
        Slice url = r->parts[P_HTTP_URL].text;
        buf_put(u, url.p, url.n);
        return;
    }
    Slice scheme = part_or(r, P_SCHEME, SLICE_LIT("http")), host, port = EMPTY;
    if (r->parts[P_HTTP_HOST].set) {
        host = r->parts[P_HTTP_HOST].text;
    } else if (server) {
        if (r->parts[P_SERVER_NAME].set) host = r->parts[P_SERVER_NAME].text;
        else if (r->parts[P_NET_HOST_NAME].set) host = r->parts[P_NET_HOST_NAME].text;
        else if (r->parts[P_HOST_NAME].set) host = r->parts[P_HOST_NAME].text;
        else host = part_or(r, P_SERVER_ADDRESS, EMPTY);
        port = r->parts[P_NET_HOST_PORT].set ? r->parts[P_NET_HOST_PORT].text : part_or(r, P_SERVER_PORT, EMPTY);
    } else {
        host = r->parts[P_NET_PEER_NAME].set ? r->parts[P_NET_PEER_NAME].text : part_or(r, P_NET_PEER_IP, EMPTY);
        port = part_or(r, P_NET_PEER_PORT, EMPTY);
    }
    write_url(u, r, scheme, host, port);
}

static int64_t response_size(Attrs *a) {
    Attr *type = get(a, KEY_MESSAGE_TYPE);
    if (has_value(type) && SLICE_IS(as_str(type), "RECEIVED")) {
        Attr *size = get(a, KEY_MESSAGING_PAYLOAD_SIZE);
        if (has_value(size)) return as_int(size);
    }
    return 0;
}

/* Returns false on a Python error (from is_ip). */
bool make_http(Buf *b, Attrs *a, const Helpers *h, Buf *u, bool *written, bool *error) {
    *written = false;
    *error = false;
    bool any = false;
    for (int id = KEY_FIRST_HTTP; id <= KEY_LAST_HTTP && !any; id++) any = present(a, id);
    if (!any) return true;
    HttpRequest r;
    memset(&r, 0, sizeof r);
    if (scan_http(&r, a, h) < 0) {
        *error = true;
        return false;
    }
    if (!r.has_http) return true;
    *written = true;
    BUF_LIT(b, ",\"http\":{\"request\":{");
    bool first = true;
    if (r.has_client_ip && !r.has_peer_addr) {
        json_key(b, "x_forwarded_for", &first);
        BUF_LIT(b, "true");
    }
    if (r.method.n) {
        json_key(b, "method", &first);
        json_str(b, r.method);
    }
    if (r.has_url) {
        u->len = 0;
        build_url(u, &r, a->span->kind == KIND_SERVER);
        if (u->failed) b->failed = true;
        if (u->len > 0) {
            json_key(b, "url", &first);
            json_str(b, (Slice){(const uint8_t *)u->p, u->len});
        }
    }
    if (r.user_agent.n) {
        json_key(b, "user_agent", &first);
        json_str(b, r.user_agent);
    }
    if (r.has_client_ip && r.client_ip.n) {
        json_key(b, "client_ip", &first);
        json_str(b, r.client_ip);
    }
    BUF_LIT(b, "},\"response\":{");
    if (r.has_status) {
        BUF_LIT(b, "\"status\":");
        json_int(b, r.status);
        buf_ch(b, ',');
    }
    BUF_LIT(b, "\"content_length\":");
    int64_t size = 0;
    if (a->span->nevents || present(a, KEY_MESSAGE_TYPE)) {
        size = response_size(a);
        for (size_t i = 0; size == 0 && i < a->span->nevents; i++) {
            size = event_received_size(a->span->events[i]);
            if (size == -1) b->decline = true; /* an attribute only protobuf's merge rules could read */
        }
    }
    json_int(b, size);
    BUF_LIT(b, "}}");
    return true;
}

/* ---- aws --------------------------------------------------------------------------------- */

static const int AWS_CONSUMED[] = {KEY_RPC_METHOD, KEY_AWS_OPERATION, KEY_AWS_ACCOUNT_ID, KEY_AWS_REGION,
                                   KEY_AWS_REQUEST_ID, KEY_AWS_REQUESTID, KEY_AWS_QUEUE_URL,
                                   KEY_AWS_QUEUE_DOT_URL, KEY_AWS_TABLE_NAME, KEY_AWS_TABLE_DOT_NAME};
#define N_AWS_CONSUMED (sizeof AWS_CONSUMED / sizeof AWS_CONSUMED[0])

enum { F_ACCOUNT, F_OPERATION, F_REGION, F_REQUEST, F_QUEUE, F_TABLE, F_COUNT };
static const char *const FIELD_NAMES[F_COUNT] = {"account_id", "operation", "region", "request_id", "queue_url",
                                                 "table_name"};

static int span_field(int id) {
    switch (id) {
    case KEY_AWS_REGION: return F_REGION;
    case KEY_AWS_REQUEST_ID:
    case KEY_AWS_REQUESTID: return F_REQUEST;
    case KEY_AWS_QUEUE_URL:
    case KEY_AWS_QUEUE_DOT_URL: return F_QUEUE;
    case KEY_AWS_TABLE_NAME:
    case KEY_AWS_TABLE_DOT_NAME: return F_TABLE;
    default: return -1;
    }
}

static void open_aws(Buf *b, Slice parts, bool *first) {
    BUF_LIT(b, ",\"aws\":{");
    buf_put(b, parts.p, parts.n);
    *first = parts.n == 0;
}

void make_aws(Buf *b, Attrs *a, bool is_aws, Slice account, Slice parts, bool *written) {
    bool any = present(a, KEY_MESSAGING_URL) || present(a, KEY_AWS_DYNAMODB_TABLE_NAMES);
    for (size_t i = 0; i < N_AWS_CONSUMED && !any; i++) any = present(a, AWS_CONSUMED[i]);
    bool first;
    *written = false;
    if (!any) {
        if (!is_aws) return;
        *written = true;
        open_aws(b, parts, &first);
        if (account.n) {
            json_key(b, "account_id", &first);
            json_str(b, account);
        }
        buf_ch(b, '}');
        return;
    }
    Slice fields[F_COUNT] = {account, EMPTY, EMPTY, EMPTY, EMPTY, EMPTY};
    if (present(a, KEY_AWS_OPERATION)) fields[F_OPERATION] = as_str(get(a, KEY_AWS_OPERATION));
    else if (present(a, KEY_RPC_METHOD)) fields[F_OPERATION] = as_str(get(a, KEY_RPC_METHOD));
    SpanRec *span = a->span;
    for (size_t i = 0; i < span->nattrs; i++) { /* in attribute order: a later alias wins */
        Attr *attr = &span->attrs[i];
        if (attr->id < 0 || a->by_id[attr->id] != attr) continue;
        if (attr->id == KEY_AWS_ACCOUNT_ID) {
            if (has_value(attr)) fields[F_ACCOUNT] = as_str(attr);
        } else {
            int f = span_field(attr->id);
            if (f >= 0) fields[f] = as_str(attr);
        }
    }
    for (size_t i = 0; i < N_AWS_CONSUMED; i++) consume(a, AWS_CONSUMED[i]);
    if (!is_aws) return;
    if (present(a, KEY_MESSAGING_URL)) fields[F_QUEUE] = as_str(get(a, KEY_MESSAGING_URL));
    Attr *tables = get(a, KEY_AWS_DYNAMODB_TABLE_NAMES);
    Value item;
    size_t ntables = 0;
    if (tables != NULL && tables->v.kind == V_STR) {
        fields[F_TABLE] = tables->v.s;
    } else if (tables != NULL && tables->v.kind == V_ARRAY) {
        Iter it = {tables->v.s.p, tables->v.s.p + tables->v.s.n, false, 0};
        while (iter_next_value(&it, &item)) {
            if (ntables++ == 0) fields[F_TABLE] = item.kind == V_STR ? item.s : EMPTY;
        }
        if (it.error) b->decline = true;
        if (ntables > 1) fields[F_TABLE] = EMPTY;
    }
    *written = true;
    open_aws(b, parts, &first);
    for (int f = 0; f < F_COUNT; f++) {
        if (fields[f].n == 0) continue;
        json_key(b, FIELD_NAMES[f], &first);
        json_str(b, fields[f]);
    }
    if (ntables > 1) {
        json_key(b, "table_names", &first);
        buf_ch(b, '[');
        Iter it = {tables->v.s.p, tables->v.s.p + tables->v.s.n, false, 0};
        bool first_item = true;
        while (iter_next_value(&it, &item)) {
            if (!first_item) buf_ch(b, ',');
            first_item = false;
            json_str(b, item.kind == V_STR ? item.s : EMPTY);
        }
        buf_ch(b, ']');
    }
    buf_ch(b, '}');
}

/* ---- sql --------------------------------------------------------------------------------- */

static bool is_sql_system(Slice s) {
    static const char *const SYSTEMS[] = {"db2", "derby", "hive", "mariadb", "mssql", "mysql", "oracle",
                                          "postgresql", "sqlite", "teradata", "other_sql"};
    for (size_t i = 0; i < sizeof SYSTEMS / sizeof SYSTEMS[0]; i++)
        if (slice_eq(s, SYSTEMS[i], strlen(SYSTEMS[i]))) return true;
    return false;
}

void make_sql(Buf *b, Attrs *a, bool *written) {
    *written = false;
    Attr *system = get(a, KEY_DB_SYSTEM);
    if (!has_value(system) || !is_sql_system(as_str(system))) return;
    static const int KEYS[] = {KEY_DB_CONNECTION_STRING, KEY_DB_SYSTEM, KEY_DB_NAME, KEY_DB_STATEMENT, KEY_DB_USER};
    for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++) consume(a, KEYS[i]);
    Slice conn = as_str(get(a, KEY_DB_CONNECTION_STRING));
    Slice name = as_str(get(a, KEY_DB_NAME));
    *written = true;
    BUF_LIT(b, ",\"sql\":{\"connection_string\":");
    Buf c;
    buf_init(&c);
    if (conn.n) buf_put(&c, conn.p, conn.n);
    else BUF_LIT(&c, "localhost");
    buf_ch(&c, '/');
    buf_put(&c, name.p, name.n);
    if (c.failed) b->failed = true;
    else json_str(b, (Slice){(const uint8_t *)c.p, c.len});
    buf_free(&c);
    bool first = false;
    if (a->span->name.n) {
        json_key(b, "url", &first);
        json_str(b, a->span->name);
    }
    Slice statement = as_str(get(a, KEY_DB_STATEMENT)), type = as_str(system), user = as_str(get(a, KEY_DB_USER));
    if (statement.n) {
        json_key(b, "sanitized_query", &first);
        json_str(b, statement);
    }
    if (type.n) {
        json_key(b, "database_type", &first);
        json_str(b, type);
    }
    if (user.n) {
        json_key(b, "user", &first);
        json_str(b, user);
    }
    buf_ch(b, '}');
}

/* ---- name and namespace ------------------------------------------------------------------ */

static Slice trim_sdk_prefix(Slice name, bool aws_sdk) {
    if (aws_sdk) {
        if (name.n >= 8 && memcmp(name.p, "AWS.SDK.", 8) == 0) return (Slice){name.p + 8, name.n - 8};
        if (name.n >= 5 && memcmp(name.p, "AWS::", 5) == 0) return (Slice){name.p + 5, name.n - 5};
    }
    return name;
}

static bool is_scheme_char(uint8_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '.' ||
           c == '-';
}

/* naming.db_host: the host of a database URL, as Go's url.Parse(...).Hostname(). */
static Slice db_host(Slice s) {
    const uint8_t *p = s.p, *end = s.p + s.n;
    if (s.n >= 5 && memcmp(p, "jdbc:", 5) == 0) p += 5;
    if (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) {
        const uint8_t *q = p + 1;
        while (q < end && is_scheme_char(*q)) q++;
        if (q < end && *q == ':') p = q + 1;
    }
    if (end - p < 2 || p[0] != '/' || p[1] != '/') return EMPTY;
    p += 2;
    const uint8_t *auth_end = p;
    while (auth_end < end && *auth_end != '/' && *auth_end != '?' && *auth_end != '#') auth_end++;
    const uint8_t *host = p;
    for (const uint8_t *q = p; q < auth_end; q++)
        if (*q == '@') host = q + 1;
    if (host < auth_end && *host == '[') {
        const uint8_t *close = memchr(host, ']', (size_t)(auth_end - host));
        if (close == NULL || close == host) return EMPTY;
        return (Slice){host + 1, (size_t)(close - host - 1)};
    }
    const uint8_t *colon = NULL;
    for (const uint8_t *q = host; q < auth_end; q++)
        if (*q == ':') colon = q;
    if (colon == NULL) return (Slice){host, (size_t)(auth_end - host)};
    for (const uint8_t *q = colon + 1; q < auth_end; q++)
        if (*q < '0' || *q > '9') return EMPTY; /* Go refuses the URL ("invalid port") */
    return (Slice){host, (size_t)(colon - host)};
}

static bool allowed_name_char(uint8_t c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == ' ' || c == '_' ||
           c == '.' || c == ':' || c == '/' || c == '%' || c == '&' || c == '#' || c == '=' || c == '+' ||
           c == '-' || c == '@';
}

#define MAX_NAME_BYTES 200

/* One code point of valid UTF-8 (the payload was validated); *len gets its byte length. */
static uint32_t next_code_point(const uint8_t *p, size_t *len) {
    if (p[0] < 0x80) return *len = 1, p[0];
    if (p[0] < 0xe0) return *len = 2, ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
    if (p[0] < 0xf0) return *len = 3, ((uint32_t)(p[0] & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
    *len = 4;
    return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) | ((uint32_t)(p[2] & 0x3f) << 6) |
           (p[3] & 0x3f);
}

/* naming.fix_segment_name: keep letters (Unicode), digits and the allowed symbols, cut to 200
 * bytes. A character cut in two leaves *cut_bytes invalid bytes, which the document writes as
 * \ufffd each (as Go does). */
static bool fix_segment_name(Buf *out, Slice name, int *cut_bytes) {
    for (size_t i = 0; i < name.n;) {
        size_t len;
        uint32_t cp = next_code_point(name.p + i, &len);
        if (cp < 0x80 ? allowed_name_char((uint8_t)cp) : (bool)Py_UNICODE_ISALPHA((Py_UCS4)cp)) buf_put(out, name.p + i, len);
        i += len;
    }
    *cut_bytes = 0;
    if (out->len > MAX_NAME_BYTES) {
        size_t cut = MAX_NAME_BYTES;
        while (cut > 0 && ((uint8_t)out->p[cut] & 0xc0) == 0x80) cut--; /* back to a character start */
        *cut_bytes = (int)(MAX_NAME_BYTES - cut);
        out->len = cut;
    } else if (out->len == 0) {
        BUF_LIT(out, "span");
    }
    return true;
}

static Slice text_of(Attrs *a, int id) { return as_str(get(a, id)); }

/* Returns false when the span's name would need Unicode rules (the Python path handles it). */
bool make_name(Buf *name, Buf *ns, Attrs *a, Slice service_name, int *cut_bytes) {
    *cut_bytes = 0;
    int64_t kind = a->span->kind;
    bool outgoing = kind == KIND_CLIENT || kind == KIND_PRODUCER || kind == KIND_CONSUMER;
    Attr *rpc = get(a, KEY_RPC_SYSTEM);
    bool aws_sdk = rpc != NULL && SLICE_IS(as_str(rpc), "aws-api") && rpc->v.kind == V_STR;
    Slice chosen = EMPTY;
    bool local_root = SLICE_IS(text_of(a, KEY_AWS_SPAN_KIND), "LOCAL_ROOT");
    if (kind == KIND_SERVER || (kind == KIND_INTERNAL && local_root)) chosen = text_of(a, KEY_AWS_LOCAL_SERVICE);
    if (outgoing && present(a, KEY_AWS_REMOTE_SERVICE))
        chosen = trim_sdk_prefix(text_of(a, KEY_AWS_REMOTE_SERVICE), aws_sdk);
    if (chosen.n == 0 && present(a, KEY_PEER_SERVICE)) chosen = text_of(a, KEY_PEER_SERVICE);
    bool aws_ns = aws_sdk;
    if (chosen.n == 0 && present(a, KEY_AWS_SERVICE)) {
        chosen = text_of(a, KEY_AWS_SERVICE);
        aws_ns = true;
    }
    if (chosen.n == 0 && present(a, KEY_DB_NAME)) {
        Slice db = text_of(a, KEY_DB_NAME);
        buf_put(name, db.p, db.n);
        if (present(a, KEY_DB_CONNECTION_STRING)) {
            Slice host = db_host(text_of(a, KEY_DB_CONNECTION_STRING));
            if (host.n) {
                buf_ch(name, '@');
                buf_put(name, host.p, host.n);
            }
        }
    } else if (chosen.n) {
        buf_put(name, chosen.p, chosen.n);
    }
    if (name->len == 0 && kind == KIND_SERVER) buf_put(name, service_name.p, service_name.n);
    if (name->len == 0) {
        static const int FALLBACKS[] = {KEY_RPC_SERVICE, KEY_HTTP_HOST, KEY_NET_PEER_NAME};
        for (size_t i = 0; i < 3 && name->len == 0; i++) {
            Slice v = text_of(a, FALLBACKS[i]);
            buf_put(name, v.p, v.n);
        }
    }
    if (name->len == 0 && !fix_segment_name(name, a->span->name, cut_bytes)) return false;
    if (aws_ns) BUF_LIT(ns, "aws");
    else if (kind == KIND_CLIENT || kind == KIND_PRODUCER) BUF_LIT(ns, "remote");
    return true;
}
