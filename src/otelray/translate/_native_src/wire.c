/* Protobuf wire reading for ExportTraceServiceRequest (opentelemetry-proto 1.x).
 *
 * request_scan() walks every message of the request the way upb decodes it and accepts only what
 * upb certainly accepts with the same meaning: known fields with their declared wire type, strict
 * UTF-8 in string fields, unknown fields of wire types 0/1/2/5, at most one Resource per
 * ResourceSpans. Anything else makes the caller hand the whole payload to the Python decoder, which
 * then raises or translates — never a different answer. span_read() then reads one span's fields;
 * it declines (false) spans whose meaning depends on protobuf merge rules (a KeyValue with two
 * values, an AnyValue with two array or map values) and spans with more than MAX_ATTRS attributes.
 */
#include "native.h"

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };
enum { T_NONE = 0, T_VARINT, T_I64, T_I32, T_STRING, T_BYTES, T_MSG };
enum {
    M_REQUEST, M_RESOURCE_SPANS, M_RESOURCE, M_ENTITY_REF, M_SCOPE_SPANS, M_SCOPE, M_SPAN, M_EVENT,
    M_LINK, M_STATUS, M_KEYVALUE, M_ANYVALUE, M_ARRAY, M_KVLIST, M_COUNT
};
#define MAX_FIELD 16
#define MAX_DEPTH 48

typedef struct {
    uint8_t type;
    uint8_t msg;
} FieldType;

/* SCHEMA[message][field number]: the fields of the installed opentelemetry-proto. */
static const FieldType SCHEMA[M_COUNT][MAX_FIELD + 1] = {
    [M_REQUEST] = {[1] = {T_MSG, M_RESOURCE_SPANS}},
    [M_RESOURCE_SPANS] = {[1] = {T_MSG, M_RESOURCE}, [2] = {T_MSG, M_SCOPE_SPANS}, [3] = {T_STRING, 0}},
    [M_RESOURCE] = {[1] = {T_MSG, M_KEYVALUE}, [2] = {T_VARINT, 0}, [3] = {T_MSG, M_ENTITY_REF}},
    [M_ENTITY_REF] = {[1] = {T_STRING, 0}, [2] = {T_STRING, 0}, [3] = {T_STRING, 0}, [4] = {T_STRING, 0}},
    [M_SCOPE_SPANS] = {[1] = {T_MSG, M_SCOPE}, [2] = {T_MSG, M_SPAN}, [3] = {T_STRING, 0}},
    [M_SCOPE] = {[1] = {T_STRING, 0}, [2] = {T_STRING, 0}, [3] = {T_MSG, M_KEYVALUE}, [4] = {T_VARINT, 0}},
    [M_SPAN] = {[1] = {T_BYTES, 0}, [2] = {T_BYTES, 0}, [3] = {T_STRING, 0}, [4] = {T_BYTES, 0},
                [5] = {T_STRING, 0}, [6] = {T_VARINT, 0}, [7] = {T_I64, 0}, [8] = {T_I64, 0},
                [9] = {T_MSG, M_KEYVALUE}, [10] = {T_VARINT, 0}, [11] = {T_MSG, M_EVENT},
                [12] = {T_VARINT, 0}, [13] = {T_MSG, M_LINK}, [14] = {T_VARINT, 0},
                [15] = {T_MSG, M_STATUS}, [16] = {T_I32, 0}},
    [M_EVENT] = {[1] = {T_I64, 0}, [2] = {T_STRING, 0}, [3] = {T_MSG, M_KEYVALUE}, [4] = {T_VARINT, 0}},
    [M_LINK] = {[1] = {T_BYTES, 0}, [2] = {T_BYTES, 0}, [3] = {T_STRING, 0}, [4] = {T_MSG, M_KEYVALUE},
                [5] = {T_VARINT, 0}, [6] = {T_I32, 0}},
    [M_STATUS] = {[2] = {T_STRING, 0}, [3] = {T_VARINT, 0}},
    [M_KEYVALUE] = {[1] = {T_STRING, 0}, [2] = {T_MSG, M_ANYVALUE}, [3] = {T_VARINT, 0}},
    [M_ANYVALUE] = {[1] = {T_STRING, 0}, [2] = {T_VARINT, 0}, [3] = {T_VARINT, 0}, [4] = {T_I64, 0},
                    [5] = {T_MSG, M_ARRAY}, [6] = {T_MSG, M_KVLIST}, [7] = {T_BYTES, 0}, [8] = {T_VARINT, 0}},
    [M_ARRAY] = {[1] = {T_MSG, M_ANYVALUE}},
    [M_KVLIST] = {[1] = {T_MSG, M_KEYVALUE}},
};

static const uint8_t WIRE_OF[] = {[T_VARINT] = WT_VARINT, [T_I64] = WT_I64, [T_I32] = WT_I32,
                                  [T_STRING] = WT_LEN, [T_BYTES] = WT_LEN, [T_MSG] = WT_LEN};

static inline bool read_varint(const uint8_t **pp, const uint8_t *end, uint64_t *out) {
    const uint8_t *p = *pp;
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (p >= end) return false;
        uint8_t byte = *p++;
        if (shift == 63 && byte > 1) return false;
        v |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *pp = p;
            *out = v;
            return true;
        }
    }
    return false;
}

static inline bool read_tag(const uint8_t **pp, const uint8_t *end, uint32_t *field, uint32_t *wire) {
    uint64_t tag;
    if (!read_varint(pp, end, &tag) || tag > UINT32_MAX) return false;
    *field = (uint32_t)(tag >> 3);
    *wire = (uint32_t)(tag & 7);
    return *field != 0;
}

static inline bool read_len(const uint8_t **pp, const uint8_t *end, Slice *out) {
    uint64_t n;
    if (!read_varint(pp, end, &n) || n > (uint64_t)(end - *pp) || n > INT32_MAX) return false;
    out->p = *pp;
    out->n = (size_t)n;
    *pp += n;
    return true;
}

static inline uint64_t load64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v; /* little-endian hosts only (checked in module.c) */
}

/* Skip a field's payload; only wire types 0, 1, 2 and 5 (groups are left to upb). */
static bool skip(const uint8_t **pp, const uint8_t *end, uint32_t wire) {
    uint64_t v;
    Slice s;
    switch (wire) {
    case WT_VARINT: return read_varint(pp, end, &v);
    case WT_I64:
        if (end - *pp < 8) return false;
        *pp += 8;
        return true;
    case WT_LEN: return read_len(pp, end, &s);
    case WT_I32:
        if (end - *pp < 4) return false;
        *pp += 4;
        return true;
    default: return false;
    }
}

/* Strict UTF-8 (no overlong forms, no surrogates, ≤ U+10FFFF), as upb and Python require. */
static bool utf8_valid(const uint8_t *p, size_t n) {
    const uint8_t *end = p + n;
    while (p < end) {
        /* ASCII runs, eight bytes at a time */
        while (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if (w & 0x8080808080808080ULL) break;
            p += 8;
        }
        if (p >= end) break;
        uint8_t c = *p;
        if (c < 0x80) {
            p++;
        } else if (c >= 0xc2 && c <= 0xdf) {
            if (end - p < 2 || (p[1] & 0xc0) != 0x80) return false;
            p += 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            if (end - p < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80) return false;
            if (c == 0xe0 && p[1] < 0xa0) return false;
            if (c == 0xed && p[1] > 0x9f) return false;
            p += 3;
        } else if (c >= 0xf0 && c <= 0xf4) {
            if (end - p < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
                return false;
            if (c == 0xf0 && p[1] < 0x90) return false;
            if (c == 0xf4 && p[1] > 0x8f) return false;
            p += 4;
        } else {
            return false;
        }
    }
    return true;
}

static bool validate(const uint8_t *p, const uint8_t *end, int msg, int depth) {
    if (depth > MAX_DEPTH) return false;
    while (p < end) {
        uint32_t field, wire;
        if (!read_tag(&p, end, &field, &wire)) return false;
        FieldType ft = field <= MAX_FIELD ? SCHEMA[msg][field] : (FieldType){T_NONE, 0};
        if (ft.type == T_NONE) {
            if (!skip(&p, end, wire)) return false;
            continue;
        }
        if (wire != WIRE_OF[ft.type]) return false; /* upb would keep it as an unknown field */
        if (ft.type == T_STRING || ft.type == T_BYTES || ft.type == T_MSG) {
            Slice s;
            if (!read_len(&p, end, &s)) return false;
            if (ft.type == T_STRING && !utf8_valid(s.p, s.n)) return false;
            if (ft.type == T_MSG && !validate(s.p, s.p + s.n, ft.msg, depth + 1)) return false;
        } else if (!skip(&p, end, wire)) {
            return false;
        }
    }
    return true;
}

static bool push_span(Request *r, Slice s) {
    if (r->nspans == r->cap_spans) {
        size_t cap = r->cap_spans ? r->cap_spans * 2 : 256;
        Slice *grown = PyMem_Realloc(r->spans, cap * sizeof(Slice));
        if (grown == NULL) return false;
        r->spans = grown;
        r->cap_spans = cap;
    }
    r->spans[r->nspans++] = s;
    return true;
}

static bool push_resource(Request *r) {
    if (r->nresources == r->cap_resources) {
        size_t cap = r->cap_resources ? r->cap_resources * 2 : 8;
        ResourceRec *grown = PyMem_Realloc(r->resources, cap * sizeof(ResourceRec));
        if (grown == NULL) return false;
        r->resources = grown;
        r->cap_resources = cap;
    }
    r->resources[r->nresources++] = (ResourceRec){{(const uint8_t *)"", 0}, r->nspans, 0};
    return true;
}

/* The next length-delimited field numbered 1..max of a message, others skipped: 1 read, 0 at the
 * end, -1 malformed. (All the fields request_scan walks are messages or strings.) */
static int next_field(const uint8_t **pp, const uint8_t *end, uint32_t max, uint32_t *field, Slice *sub) {
    while (*pp < end) {
        uint32_t wire;
        if (!read_tag(pp, end, field, &wire)) return -1;
        if (*field > max) {
            if (!skip(pp, end, wire)) return -1;
            continue;
        }
        return wire == WT_LEN && read_len(pp, end, sub) ? 1 : -1;
    }
    return 0;
}

static bool scan_scope_spans(Slice s, Request *r) {
    const uint8_t *p = s.p, *end = s.p + s.n;
    uint32_t field;
    Slice sub;
    int rc;
    while ((rc = next_field(&p, end, 3, &field, &sub)) > 0) {
        if (field == 1 && !validate(sub.p, sub.p + sub.n, M_SCOPE, 3)) return false;
        if (field == 3 && !utf8_valid(sub.p, sub.n)) return false;
        if (field == 2 && (!validate(sub.p, sub.p + sub.n, M_SPAN, 3) || !push_span(r, sub))) return false;
    }
    return rc == 0;
}

static bool scan_resource_spans(Slice s, Request *r) {
    if (!push_resource(r)) return false;
    size_t index = r->nresources - 1;
    bool seen_resource = false;
    const uint8_t *p = s.p, *end = s.p + s.n;
    uint32_t field;
    Slice sub;
    int rc;
    while ((rc = next_field(&p, end, 3, &field, &sub)) > 0) {
        if (field == 1) {
            if (seen_resource || !validate(sub.p, sub.p + sub.n, M_RESOURCE, 2)) return false;
            seen_resource = true;
            r->resources[index].resource = sub;
        } else if (field == 2) {
            if (!scan_scope_spans(sub, r)) return false;
        } else if (!utf8_valid(sub.p, sub.n)) {
            return false;
        }
    }
    r->resources[index].count = r->nspans - r->resources[index].first;
    return rc == 0;
}

bool request_scan(Slice payload, Request *r) {
    memset(r, 0, sizeof(*r));
    const uint8_t *p = payload.p, *end = payload.p + payload.n;
    uint32_t field;
    Slice sub;
    int rc;
    while ((rc = next_field(&p, end, 1, &field, &sub)) > 0)
        if (!scan_resource_spans(sub, r)) return false;
    return rc == 0;
}

void request_free(Request *r) {
    PyMem_Free(r->spans);
    PyMem_Free(r->resources);
    memset(r, 0, sizeof(*r));
}

/* ---- reading validated messages ---------------------------------------------------------- */

/* An AnyValue: the last member of the oneof on the wire wins; two array or map members would be
 * merged by protobuf, which is left to the Python translator. */
bool value_read(Slice bytes, Value *out) {
    const uint8_t *p = bytes.p, *end = bytes.p + bytes.n;
    *out = (Value){V_NONE, {(const uint8_t *)"", 0}, 0, 0.0};
    while (p < end) {
        uint32_t field, wire;
        uint64_t v;
        if (!read_tag(&p, end, &field, &wire)) return false;
        switch (field) {
        case 1:
        case 7:
            if (!read_len(&p, end, &out->s)) return false;
            out->kind = field == 1 ? V_STR : V_BYTES;
            break;
        case 2:
        case 3:
        case 8:
            if (!read_varint(&p, end, &v)) return false;
            out->kind = field == 2 ? V_BOOL : field == 3 ? V_INT : V_NONE;
            out->i = field == 2 ? (v != 0) : (int64_t)v;
            break;
        case 4:
            if (end - p < 8) return false;
            {
                uint64_t bits = load64(p);
                memcpy(&out->d, &bits, 8);
            }
            p += 8;
            out->kind = V_DOUBLE;
            break;
        case 5:
        case 6: {
            int kind = field == 5 ? V_ARRAY : V_KVLIST;
            if (out->kind == kind) return false;
            if (!read_len(&p, end, &out->s)) return false;
            out->kind = kind;
            break;
        }
        default:
            if (!skip(&p, end, wire)) return false;
        }
    }
    return true;
}

static bool keyvalue_read(Slice bytes, Slice *key, Value *value) {
    const uint8_t *p = bytes.p, *end = bytes.p + bytes.n;
    bool seen_value = false;
    *key = (Slice){(const uint8_t *)"", 0};
    *value = (Value){V_NONE, {(const uint8_t *)"", 0}, 0, 0.0};
    while (p < end) {
        uint32_t field, wire;
        if (!read_tag(&p, end, &field, &wire)) return false;
        if (field == 1) {
            if (!read_len(&p, end, key)) return false;
        } else if (field == 2) {
            Slice sub;
            if (seen_value || !read_len(&p, end, &sub) || !value_read(sub, value)) return false;
            seen_value = true;
        } else if (!skip(&p, end, wire)) {
            return false;
        }
    }
    return true;
}

bool iter_next_value(Iter *it, Value *out) {
    while (it->p < it->end) {
        uint32_t field, wire;
        Slice sub;
        if (!read_tag(&it->p, it->end, &field, &wire)) break;
        if (field != 1) {
            if (!skip(&it->p, it->end, wire)) break;
            continue;
        }
        if (read_len(&it->p, it->end, &sub) && value_read(sub, out)) return true;
        it->error = true;
        return false;
    }
    it->error = it->error || it->p < it->end;
    return false;
}

bool iter_next_pair(Iter *it, Slice *key, Value *out) {
    uint32_t wanted = it->field ? it->field : 1;
    while (it->p < it->end) {
        uint32_t field, wire;
        Slice sub;
        if (!read_tag(&it->p, it->end, &field, &wire)) break;
        if (field != wanted) {
            if (!skip(&it->p, it->end, wire)) break;
            continue;
        }
        if (read_len(&it->p, it->end, &sub) && keyvalue_read(sub, key, out)) return true;
        it->error = true;
        return false;
    }
    it->error = it->error || it->p < it->end;
    return false;
}

static void status_read(Slice bytes, SpanRec *span) {
    const uint8_t *p = bytes.p, *end = bytes.p + bytes.n;
    while (p < end) {
        uint32_t field, wire;
        uint64_t v;
        if (!read_tag(&p, end, &field, &wire)) return;
        if (field == 2) {
            if (!read_len(&p, end, &span->status_message)) return;
        } else if (field == 3) {
            if (!read_varint(&p, end, &v)) return;
            span->status_code = (int32_t)v;
        } else if (!skip(&p, end, wire)) {
            return;
        }
    }
}

bool span_read(Slice bytes, SpanRec *span) {
    const uint8_t *p = bytes.p, *end = bytes.p + bytes.n;
    static const Slice empty = {(const uint8_t *)"", 0};
    span->trace_id = span->span_id = span->parent_id = span->name = span->status_message = empty;
    span->kind = 0;
    span->start = span->end = 0;
    span->status_code = 0;
    span->nattrs = span->nevents = span->nlinks = 0;
    while (p < end) {
        uint32_t field, wire;
        uint64_t v;
        Slice sub;
        if (!read_tag(&p, end, &field, &wire)) return false;
        switch (field) {
        case 1: if (!read_len(&p, end, &span->trace_id)) return false; break;
        case 2: if (!read_len(&p, end, &span->span_id)) return false; break;
        case 4: if (!read_len(&p, end, &span->parent_id)) return false; break;
        case 5: if (!read_len(&p, end, &span->name)) return false; break;
        case 6:
            if (!read_varint(&p, end, &v)) return false;
            span->kind = (int32_t)v;
            break;
        case 7:
        case 8:
            if (end - p < 8) return false;
            if (field == 7) span->start = load64(p); else span->end = load64(p);
            p += 8;
            break;
        case 9: {
            if (span->nattrs == MAX_ATTRS || !read_len(&p, end, &sub)) return false;
            Attr *a = &span->attrs[span->nattrs++];
            if (!keyvalue_read(sub, &a->key, &a->v)) return false;
            break;
        }
        case 11:
            if (span->nevents == MAX_EVENTS || !read_len(&p, end, &span->events[span->nevents++])) return false;
            break;
        case 13:
            if (span->nlinks == MAX_EVENTS || !read_len(&p, end, &span->links[span->nlinks++])) return false;
            break;
        case 15:
            if (!read_len(&p, end, &sub)) return false;
            status_read(sub, span); /* a repeated singular message merges: last value per field */
            break;
        default:
            if (!skip(&p, end, wire)) return false;
        }
    }
    return true;
}

Slice event_name(Slice event) {
    const uint8_t *p = event.p, *end = event.p + event.n;
    Slice name = {(const uint8_t *)"", 0};
    while (p < end) {
        uint32_t field, wire;
        if (!read_tag(&p, end, &field, &wire)) break;
        if (field == 2) {
            if (!read_len(&p, end, &name)) break;
        } else if (!skip(&p, end, wire)) {
            break;
        }
    }
    return name;
}

/* http._received_size on an event's attributes (a later duplicate key wins, as in a dict). */
int64_t event_received_size(Slice event) {
    const uint8_t *p = event.p, *end = event.p + event.n;
    Value type = {V_NONE, {(const uint8_t *)"", 0}, 0, 0.0}, size = type;
    while (p < end) {
        uint32_t field, wire;
        Slice sub, key;
        Value v;
        if (!read_tag(&p, end, &field, &wire)) break;
        if (field != 3) {
            if (!skip(&p, end, wire)) break;
            continue;
        }
        if (!read_len(&p, end, &sub) || !keyvalue_read(sub, &key, &v)) return -1;
        if (SLICE_IS(key, "message.type")) type = v;
        else if (SLICE_IS(key, "messaging.message_payload_size_bytes")) size = v;
    }
    if (type.kind == V_STR && SLICE_IS(type.s, "RECEIVED") && size.kind == V_INT) return size.i;
    return 0;
}

void link_read(Slice link, Slice *trace_id, Slice *span_id, bool *has_attributes) {
    const uint8_t *p = link.p, *end = link.p + link.n;
    *trace_id = *span_id = (Slice){(const uint8_t *)"", 0};
    *has_attributes = false;
    while (p < end) {
        uint32_t field, wire;
        if (!read_tag(&p, end, &field, &wire)) return;
        if (field == 1 || field == 2) {
            if (!read_len(&p, end, field == 1 ? trace_id : span_id)) return;
        } else {
            if (field == 4) *has_attributes = true;
            if (!skip(&p, end, wire)) return;
        }
    }
}
