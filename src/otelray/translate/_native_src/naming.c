/* The segment name and namespace (to_xray/naming.py make_name, fix_segment_name, db_host). */
#include "native.h"

Slice trim_sdk_prefix(Slice name, bool aws_sdk) {
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
