/* The http block (to_xray/http.py makeHTTP), old and new HTTP semantic conventions. */
#include "native.h"

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
bool make_http(Buf *b, Attrs *a, const Helpers *h, Buf *u) {
    bool any = false;
    for (int id = KEY_FIRST_HTTP; id <= KEY_LAST_HTTP && !any; id++) any = present(a, id);
    if (!any) return true;
    HttpRequest r;
    memset(&r, 0, sizeof r);
    if (scan_http(&r, a, h) < 0) return false;
    if (!r.has_http) return true;
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

