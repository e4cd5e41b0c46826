/* JSON written as the exporter's Go encoder writes it (jsonenc.py): strings with ", \ and control
 * characters escaped as orjson does (\b \t \n \f \r, else \u00xx), plus Go's HTML-safe \u003c
 * \u003e \u0026 and \u2028 \u2029; floats in Go's shortest form ('f' notation for 1e-6 ≤ |x| <
 * 1e21, else 'e' with a two-digit negative exponent trimmed); bytes as standard base64; maps with
 * their keys sorted (the last of equal keys wins, as a Python dict built in order).
 */
#include "native.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void buf_init(Buf *b) {
    b->p = NULL;
    b->len = b->cap = 0;
    b->failed = b->decline = false;
}

void buf_free(Buf *b) {
    PyMem_Free(b->p);
    buf_init(b);
}

void buf_grow(Buf *b, size_t extra) {
    if (b->failed) return;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + extra) cap *= 2;
    char *grown = PyMem_Realloc(b->p, cap);
    if (grown == NULL) {
        b->failed = true;
        return;
    }
    b->p = grown;
    b->cap = cap;
}

static const char HEX[] = "0123456789abcdef";

/* 0: copy as is; 1: escape (see json_str). Bytes ≥ 0x80 are copied; 0xe2 (U+2028/9?) is checked. */
static const uint8_t NEEDS_ESCAPE[256] = {
    [0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, ['<'] = 1, ['>'] = 1, ['&'] = 1, [0xe2] = 1,
};

void json_str(Buf *b, Slice s) {
    const uint8_t *p = s.p, *end = s.p + s.n;
    if (b->len + s.n + 2 > b->cap) buf_grow(b, s.n + 2);
    if (b->failed) return;
    b->p[b->len++] = '"';
    while (p < end) {
        const uint8_t *run = p;
        while (p < end && !NEEDS_ESCAPE[*p]) p++;
        if (p > run) buf_put(b, run, (size_t)(p - run));
        if (p >= end) break;
        uint8_t c = *p;
        if (c == 0xe2) {
            if (end - p >= 3 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
                BUF_LIT(b, "\\u202");
                buf_ch(b, p[2] == 0xa8 ? '8' : '9');
                p += 3;
            } else {
                buf_ch(b, (char)c);
                p++;
            }
            continue;
        }
        switch (c) {
        case '"': BUF_LIT(b, "\\\""); break;
        case '\\': BUF_LIT(b, "\\\\"); break;
        case '\b': BUF_LIT(b, "\\b"); break;
        case '\t': BUF_LIT(b, "\\t"); break;
        case '\n': BUF_LIT(b, "\\n"); break;
        case '\f': BUF_LIT(b, "\\f"); break;
        case '\r': BUF_LIT(b, "\\r"); break;
        case '<': BUF_LIT(b, "\\u003c"); break;
        case '>': BUF_LIT(b, "\\u003e"); break;
        case '&': BUF_LIT(b, "\\u0026"); break;
        default: {
            char esc[6] = {'\\', 'u', '0', '0', HEX[c >> 4], HEX[c & 15]};
            buf_put(b, esc, 6);
        }
        }
        p++;
    }
    buf_ch(b, '"');
}

void json_key(Buf *b, const char *lit, bool *first) {
    if (!*first) buf_ch(b, ',');
    *first = false;
    buf_ch(b, '"');
    buf_put(b, lit, strlen(lit));
    BUF_LIT(b, "\":");
}

void json_keys(Buf *b, Slice key, bool *first) {
    if (!*first) buf_ch(b, ',');
    *first = false;
    json_str(b, key);
    buf_ch(b, ':');
}

void json_int(Buf *b, int64_t v) {
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%lld", (long long)v);
    buf_put(b, tmp, (size_t)n);
}

/* The shortest decimal that reads back as v, for 1 <= |v| < 2^52 (span times, most measurements),
 * found exactly with 128-bit integers: v = m·2^e; the candidate with k fractional digits is
 * N = round(m·10^k / 2^-e), accepted when it lies within half an ulp of v (the boundary counts when
 * m is even, as round-half-even reading does). Same digits as Python's repr and Go's encoder.
 * False when v is outside that range (the general path handles it). */
static bool shortest_positional(Buf *b, double v) {
    double mag = fabs(v);
    if (!(mag >= 1.0 && mag < 4503599627370496.0)) return false;
    uint64_t bits;
    memcpy(&bits, &mag, 8);
    uint64_t m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52); /* normal: 1 <= mag */
    int shift = 1075 - (int)(bits >> 52);                     /* v = m / 2^shift, 1 <= shift <= 52 */
    if (m == (1ULL << 52)) return false; /* a power of two: the lower neighbour is closer */
    unsigned __int128 pow10 = 1;
    for (int k = 0; k <= 17; k++, pow10 *= 10) {
        unsigned __int128 prod = (unsigned __int128)m * pow10;
        unsigned __int128 half = (unsigned __int128)1 << (shift - 1), rem = prod & ((half << 1) - 1);
        unsigned __int128 n = prod >> shift;
        if (rem > half || (rem == half && (n & 1))) n++; /* nearest, ties to an even last digit */
        unsigned __int128 back = n << shift;
        unsigned __int128 diff = back > prod ? back - prod : prod - back;
        if (2 * diff < pow10 || (2 * diff == pow10 && (m & 1) == 0)) {
            char digits[48];
            int nd = 0;
            while (n > UINT64_MAX) { /* 128-bit division only for the few huge candidates */
                digits[nd++] = (char)('0' + (int)(n % 10));
                n /= 10;
            }
            for (uint64_t small = (uint64_t)n; small > 0; small /= 10) digits[nd++] = (char)('0' + (int)(small % 10));
            if (v < 0) buf_ch(b, '-');
            for (int i = nd - 1; i >= 0; i--) {
                if (i == k - 1) buf_ch(b, '.');
                buf_ch(b, digits[i]);
            }
            return true;
        }
    }
    return false;
}

/* Go's float64 encoding from Python's shortest repr (jsonenc.go_float). */
void json_float(Buf *b, double v) {
    if (isnan(v) || isinf(v)) {
        b->decline = true; /* Go refuses; the Python translator writes the error */
        return;
    }
    if (shortest_positional(b, v)) return;
    char *r = PyOS_double_to_string(v, 'r', 0, 0, NULL);
    if (r == NULL) {
        PyErr_Clear();
        b->failed = true;
        return;
    }
    char *e = strchr(r, 'e');
    double mag = fabs(v);
    if (e == NULL) {
        buf_put(b, r, strlen(r));
    } else if (mag < 1e-6 || mag >= 1e21) {
        /* 'e' notation, "e-07" → "e-7" */
        buf_put(b, r, (size_t)(e - r) + 2);
        const char *exp = e + 2;
        if (e[1] == '-' && exp[0] == '0' && exp[1] != '\0') exp++;
        buf_put(b, exp, strlen(exp));
    } else {
        /* positional: mantissa digits d[.ddd] times 10^exp */
        const char *m = r;
        if (*m == '-') {
            buf_ch(b, '-');
            m++;
        }
        char digits[32];
        size_t nd = 0, before = 0;
        bool dot = false;
        for (const char *q = m; q < e && nd < sizeof digits; q++) {
            if (*q == '.') {
                dot = true;
                continue;
            }
            digits[nd++] = *q;
            if (!dot) before++;
        }
        long exp = strtol(e + 1, NULL, 10);
        long point = (long)before + exp; /* digits before the decimal point */
        if (point <= 0) {
            BUF_LIT(b, "0.");
            for (long i = 0; i < -point; i++) buf_ch(b, '0');
            buf_put(b, digits, nd);
        } else if ((size_t)point >= nd) {
            buf_put(b, digits, nd);
            for (long i = 0; i < point - (long)nd; i++) buf_ch(b, '0');
        } else {
            buf_put(b, digits, (size_t)point);
            buf_ch(b, '.');
            buf_put(b, digits + point, nd - (size_t)point);
        }
    }
    PyMem_Free(r);
}

void json_bytes_b64(Buf *b, Slice s) {
    static const char TABLE[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    buf_ch(b, '"');
    size_t i = 0;
    for (; i + 3 <= s.n; i += 3) {
        uint32_t v = ((uint32_t)s.p[i] << 16) | ((uint32_t)s.p[i + 1] << 8) | s.p[i + 2];
        char out[4] = {TABLE[v >> 18], TABLE[(v >> 12) & 63], TABLE[(v >> 6) & 63], TABLE[v & 63]};
        buf_put(b, out, 4);
    }
    if (s.n - i == 1) {
        uint32_t v = (uint32_t)s.p[i] << 16;
        char out[4] = {TABLE[v >> 18], TABLE[(v >> 12) & 63], '=', '='};
        buf_put(b, out, 4);
    } else if (s.n - i == 2) {
        uint32_t v = ((uint32_t)s.p[i] << 16) | ((uint32_t)s.p[i + 1] << 8);
        char out[4] = {TABLE[v >> 18], TABLE[(v >> 12) & 63], TABLE[(v >> 6) & 63], '='};
        buf_put(b, out, 4);
    }
    buf_ch(b, '"');
}

/* ---- AsRaw ------------------------------------------------------------------------------- */

#define MAX_RAW_DEPTH 32

typedef struct {
    Slice key;
    Value v;
    size_t order;
} Pair;

static int pair_cmp(const void *x, const void *y) {
    const Pair *a = x, *b = y;
    size_t n = a->key.n < b->key.n ? a->key.n : b->key.n;
    int c = memcmp(a->key.p, b->key.p, n);
    if (c != 0) return c;
    if (a->key.n != b->key.n) return a->key.n < b->key.n ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

void json_raw_map(Buf *b, Slice message, uint32_t field, int depth) {
    Iter it = {message.p, message.p + message.n, false, field};
    Pair stack[16], *pairs = stack;
    size_t n = 0, cap = 16;
    Pair item;
    while (iter_next_pair(&it, &item.key, &item.v)) {
        if (n == cap) {
            Pair *grown = PyMem_Malloc(cap * 2 * sizeof(Pair));
            if (grown == NULL) {
                b->failed = true;
                goto done;
            }
            memcpy(grown, pairs, n * sizeof(Pair));
            if (pairs != stack) PyMem_Free(pairs);
            pairs = grown;
            cap *= 2;
        }
        item.order = n;
        pairs[n++] = item;
    }
    if (it.error) { /* a pair only protobuf's merge rules could read */
        b->decline = true;
        goto done;
    }
    qsort(pairs, n, sizeof(Pair), pair_cmp);
    buf_ch(b, '{');
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && pairs[i + 1].key.n == pairs[i].key.n &&
            memcmp(pairs[i + 1].key.p, pairs[i].key.p, pairs[i].key.n) == 0)
            continue; /* a later value of the same key wins */
        json_keys(b, pairs[i].key, &first);
        json_raw_value(b, &pairs[i].v, depth + 1);
    }
    buf_ch(b, '}');
done:
    if (pairs != stack) PyMem_Free(pairs);
}

static void raw_array(Buf *b, Slice message, int depth) {
    Iter it = {message.p, message.p + message.n, false, 0};
    Value item;
    bool first = true;
    buf_ch(b, '[');
    while (iter_next_value(&it, &item)) {
        if (!first) buf_ch(b, ',');
        first = false;
        json_raw_value(b, &item, depth + 1);
    }
    if (it.error) b->decline = true;
    buf_ch(b, ']');
}

void json_raw_value(Buf *b, const Value *v, int depth) {
    if (depth > MAX_RAW_DEPTH) {
        b->decline = true;
        return;
    }
    switch (v->kind) {
    case V_STR: json_str(b, v->s); break;
    case V_BOOL:
        if (v->i) BUF_LIT(b, "true"); else BUF_LIT(b, "false");
        break;
    case V_INT: json_int(b, v->i); break;
    case V_DOUBLE: json_float(b, v->d); break;
    case V_BYTES: json_bytes_b64(b, v->s); break;
    case V_ARRAY: raw_array(b, v->s, depth); break;
    case V_KVLIST: json_raw_map(b, v->s, 1, depth); break;
    default: BUF_LIT(b, "null");
    }
}
