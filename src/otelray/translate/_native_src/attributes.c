/* The attribute index of a span, and its annotations and metadata (to_xray/annotations.py).
 * aws.xray.metadata.<namespace> values are parsed by the Python modules (a callback), so that JSON
 * is read by one parser with Go's number rules. */
#include "native.h"

/* ---- annotations and metadata ------------------------------------------------------------ */

typedef struct {
    size_t key_off, key_len, val_off, val_len;
} Entry;

typedef struct {
    Buf data; /* keys and encoded values */
    Entry *items;
    size_t n, cap;
    bool failed;
} Entries;

static void entries_add(Entries *e, size_t key_off, size_t key_len, size_t val_off) {
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 32;
        Entry *grown = PyMem_Realloc(e->items, cap * sizeof(Entry));
        if (grown == NULL) {
            e->failed = true;
            return;
        }
        e->items = grown;
        e->cap = cap;
    }
    e->items[e->n++] = (Entry){key_off, key_len, val_off, e->data.len - val_off};
}

static void entries_add_encoded(Entries *e, Slice key, Slice value) {
    size_t key_off = e->data.len;
    buf_put(&e->data, key.p, key.n);
    size_t val_off = e->data.len;
    buf_put(&e->data, value.p, value.n);
    entries_add(e, key_off, key.n, val_off);
}

static int entry_cmp(const Entries *e, const Entry *a, const Entry *b) {
    size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
    int c = memcmp(e->data.p + a->key_off, e->data.p + b->key_off, n);
    if (c != 0) return c;
    return a->key_len < b->key_len ? -1 : a->key_len > b->key_len;
}

static const char RESOURCE_PREFIX[] = "otel.resource.";
static const char METADATA_PREFIX[] = "aws.xray.metadata.";

static bool has_prefix(Slice s, const char *prefix, size_t n) { return s.n >= n && memcmp(s.p, prefix, n) == 0; }
#define HAS_PREFIX(s, lit) has_prefix((s), (lit), sizeof(lit) - 1)

/* Write {"k":v,…} sorted by key; of equal keys the one added last wins (a dict's update). With
 * resource_only, only otel.resource.* keys are written (a split local root's service segment). */
static void entries_write(Buf *b, Entries *e, bool resource_only) {
    for (size_t i = 1; i < e->n; i++) { /* insertion sort: stable, small n */
        Entry item = e->items[i];
        size_t j = i;
        while (j > 0 && entry_cmp(e, &e->items[j - 1], &item) > 0) {
            e->items[j] = e->items[j - 1];
            j--;
        }
        e->items[j] = item;
    }
    buf_ch(b, '{');
    bool first = true;
    for (size_t i = 0; i < e->n; i++) {
        if (i + 1 < e->n && entry_cmp(e, &e->items[i], &e->items[i + 1]) == 0) continue;
        const Entry *it = &e->items[i];
        if (resource_only && !HAS_PREFIX(((Slice){(const uint8_t *)e->data.p + it->key_off, it->key_len}), RESOURCE_PREFIX))
            continue;
        json_keys(b, (Slice){(const uint8_t *)e->data.p + it->key_off, it->key_len}, &first);
        buf_put(b, e->data.p + it->val_off, it->val_len);
    }
    buf_ch(b, '}');
}

/* annotations.fix_annotation_key: every character but ASCII letters, digits (and '.') → '_'. */
static void put_fixed_key(Buf *b, Slice key, bool allow_dot) {
    for (size_t i = 0; i < key.n; i++) {
        uint8_t c = key.p[i];
        if ((c & 0xc0) == 0x80) continue; /* continuation byte: one '_' per character */
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    (allow_dot && c == '.');
        buf_ch(b, keep ? (char)c : '_');
    }
}

static bool is_scalar(int kind) { return kind == V_STR || kind == V_INT || kind == V_BOOL || kind == V_DOUBLE; }

static void namespaces_clear(Namespaces *ns) {
    for (size_t i = 0; i < ns->n; i++) Py_DECREF(ns->items[i].entries);
    ns->n = 0;
}

static void entry_from_python(Entries *e, PyObject *pair, bool *failed) {
    char *k, *v;
    Py_ssize_t kn, vn;
    if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 || PyBytes_AsStringAndSize(PyTuple_GET_ITEM(pair, 0), &k, &kn) < 0 ||
        PyBytes_AsStringAndSize(PyTuple_GET_ITEM(pair, 1), &v, &vn) < 0) {
        *failed = true;
        return;
    }
    entries_add_encoded(e, (Slice){(const uint8_t *)k, (size_t)kn}, (Slice){(const uint8_t *)v, (size_t)vn});
}

/* annotations._metadata_namespace: the Python modules parse the JSON (Go's number and key rules);
 * None back means unparsable, kept verbatim in "default"; False, a span for the Python path.
 * -1 on a Python error. */
static int metadata_attribute(const Attr *attr, const Options *opt, Entries *metadata, Namespaces *ns) {
    PyObject *r = PyObject_CallFunction(opt->helpers.metadata, "s#s#", (const char *)attr->key.p, (Py_ssize_t)attr->key.n,
                                        (const char *)attr->v.s.p, (Py_ssize_t)attr->v.s.n);
    if (r == NULL) return -1;
    if (r == Py_False) { /* something only the whole Python translation reports */
        metadata->data.decline = true;
        Py_DECREF(r);
        return 0;
    }
    if (r == Py_None) {
        size_t key_off = metadata->data.len;
        buf_put(&metadata->data, attr->key.p, attr->key.n);
        size_t val_off = metadata->data.len;
        json_str(&metadata->data, attr->v.s);
        entries_add(metadata, key_off, attr->key.n, val_off);
        Py_DECREF(r);
        return 0;
    }
    PyObject *is_default, *entries;
    if (!PyArg_ParseTuple(r, "OO", &is_default, &entries) || (entries != Py_None && !PyList_Check(entries))) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "metadata() must return None or (bool, list | None)");
        Py_DECREF(r);
        return -1;
    }
    bool failed = false;
    if (PyObject_IsTrue(is_default)) {
        for (Py_ssize_t i = 0; entries != Py_None && i < PyList_GET_SIZE(entries); i++)
            entry_from_python(metadata, PyList_GET_ITEM(entries, i), &failed);
    } else {
        Slice name = {attr->key.p + sizeof METADATA_PREFIX - 1, attr->key.n - (sizeof METADATA_PREFIX - 1)};
        ns->items[ns->n++] = (Namespace){name, Py_NewRef(entries)};
    }
    Py_DECREF(r);
    return failed ? -1 : 0;
}

static int span_side(SpanRec *span, const Options *opt, Entries *annotations, Entries *metadata, Namespaces *ns,
                     Buf *b) {
    for (size_t i = 0; i < span->nattrs; i++) {
        Attr *attr = &span->attrs[i];
        if (attr->consumed) continue;
        if (opt->index_all || attr->indexed) {
            if (!is_scalar(attr->v.kind)) continue;
            Entries *e = annotations;
            size_t key_off = e->data.len;
            put_fixed_key(&e->data, attr->key, opt->allow_dot);
            size_t key_len = e->data.len - key_off, val_off = e->data.len;
            json_raw_value(&e->data, &attr->v, 0);
            entries_add(e, key_off, key_len, val_off);
        } else if (attr->v.kind == V_STR && HAS_PREFIX(attr->key, METADATA_PREFIX)) {
            if (metadata_attribute(attr, opt, metadata, ns) < 0) return -1;
        } else if (attr->v.kind != V_NONE) {
            Entries *e = metadata;
            size_t key_off = e->data.len;
            buf_put(&e->data, attr->key.p, attr->key.n);
            size_t val_off = e->data.len;
            json_raw_value(&e->data, &attr->v, 0);
            entries_add(e, key_off, attr->key.n, val_off);
        }
    }
    if (annotations->data.decline || metadata->data.decline) b->decline = true;
    if (annotations->data.failed || metadata->data.failed || annotations->failed || metadata->failed)
        b->failed = true;
    return 0;
}

static int slice_cmp(Slice a, Slice b) {
    int c = memcmp(a.p, b.p, a.n < b.n ? a.n : b.n);
    return c ? c : (a.n > b.n) - (a.n < b.n);
}

static void write_namespace(Buf *b, const Namespace *ns, bool resource_only) {
    if (ns->entries == Py_None) {
        BUF_LIT(b, "null");
        return;
    }
    buf_ch(b, '{');
    bool first = true;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(ns->entries); i++) {
        PyObject *pair = PyList_GET_ITEM(ns->entries, i);
        char *k, *v;
        Py_ssize_t kn, vn;
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 || PyBytes_AsStringAndSize(PyTuple_GET_ITEM(pair, 0), &k, &kn) < 0 ||
            PyBytes_AsStringAndSize(PyTuple_GET_ITEM(pair, 1), &v, &vn) < 0) {
            PyErr_Clear();
            b->failed = true;
            return;
        }
        Slice key = {(const uint8_t *)k, (size_t)kn};
        if (resource_only && !HAS_PREFIX(key, RESOURCE_PREFIX)) continue;
        json_keys(b, key, &first);
        buf_put(b, v, (size_t)vn);
    }
    buf_ch(b, '}');
}

/* {"<namespace>": …} sorted by name, "default" among them when it has entries. */
static void write_metadata(Buf *b, Entries *defaults, Namespaces *ns, bool resource_only) {
    for (size_t i = 1; i < ns->n; i++) { /* insertion sort by name (unique: attribute keys are) */
        Namespace item = ns->items[i];
        size_t j = i;
        for (; j > 0 && slice_cmp(ns->items[j - 1].name, item.name) > 0; j--) ns->items[j] = ns->items[j - 1];
        ns->items[j] = item;
    }
    BUF_LIT(b, ",\"metadata\":{");
    bool first = true, wrote_default = defaults->n == 0;
    for (size_t i = 0; i <= ns->n; i++) {
        if (!wrote_default && (i == ns->n || slice_cmp(SLICE_LIT("default"), ns->items[i].name) < 0)) {
            json_key(b, "default", &first);
            entries_write(b, defaults, resource_only);
            wrote_default = true;
        }
        if (i == ns->n) break;
        json_keys(b, ns->items[i].name, &first);
        write_namespace(b, &ns->items[i], resource_only);
    }
    buf_ch(b, '}');
}

int write_attributes(Buf *b, SpanRec *span, const ResourceInfo *res, const Options *opt, bool store_resource,
                     bool resource_only_metadata, Scratch *scratch) {
    Entries annotations = {scratch->annotations, scratch->entries[0], 0, scratch->entries_cap[0], false};
    Entries metadata = {scratch->metadata, scratch->entries[1], 0, scratch->entries_cap[1], false};
    annotations.data.len = metadata.data.len = 0;
    annotations.data.decline = metadata.data.decline = false;
    if (store_resource) {
        for (size_t i = 0; i < res->nannotations; i++)
            entries_add_encoded(&annotations, res->annotation_keys[i], res->annotation_values[i]);
        for (size_t i = 0; i < res->nmetadata; i++)
            entries_add_encoded(&metadata, res->metadata_keys[i], res->metadata_values[i]);
    }
    Namespaces *ns = &scratch->namespaces;
    int rc = span_side(span, opt, &annotations, &metadata, ns, b);
    if (rc == 0 && annotations.n) {
        BUF_LIT(b, ",\"annotations\":");
        entries_write(b, &annotations, false);
    }
    if (rc == 0 && (metadata.n || ns->n)) write_metadata(b, &metadata, ns, resource_only_metadata);
    namespaces_clear(ns);
    scratch->annotations = annotations.data; /* keep the grown buffers for the next span */
    scratch->metadata = metadata.data;
    scratch->entries[0] = annotations.items;
    scratch->entries[1] = metadata.items;
    scratch->entries_cap[0] = annotations.cap;
    scratch->entries_cap[1] = metadata.cap;
    return rc;
}

void scratch_free(Scratch *s) {
    buf_free(&s->name);
    buf_free(&s->ns);
    buf_free(&s->sql);
    buf_free(&s->url);
    buf_free(&s->annotations);
    buf_free(&s->metadata);
    PyMem_Free(s->entries[0]);
    PyMem_Free(s->entries[1]);
    memset(s, 0, sizeof *s);
}

/* ---- the attribute index ----------------------------------------------------------------- */

/* Attributes the service segment of a split local root leaves out (segment.py _REMOTE_ATTRIBUTES). */
static bool is_remote_attribute(Slice key) {
    return SLICE_IS(key, "aws.remote.service") || SLICE_IS(key, "aws.remote.operation") || SLICE_IS(key, "remoteTarget") ||
           SLICE_IS(key, "K8s.RemoteNamespace");
}

/* aws.xray.annotations: the span's attributes it names are annotations too (indexed bit 2). False
 * when it names a resource attribute (otel.resource.*), whose split the Python modules recompute. */
static bool index_listed(SpanRec *span, const Attr *listed) {
    Iter it = {listed->v.s.p, listed->v.s.p + listed->v.s.n, false, 0};
    Value item;
    while (iter_next_value(&it, &item)) {
        if (item.kind != V_STR) continue;
        if (HAS_PREFIX(item.s, RESOURCE_PREFIX)) return false;
        uint32_t hash = key_hash(item.s);
        for (size_t i = 0; i < span->nattrs; i++) {
            Attr *attr = &span->attrs[i];
            if (attr->hash == hash && attr->key.n == item.s.n && memcmp(attr->key.p, item.s.p, item.s.n) == 0)
                attr->indexed |= 2;
        }
    }
    return !it.error;
}

/* consumed: 0 free, 1 taken by a block (indexed_attributes can bring it back), 2 not an attribute
 * of this document (aws.xray.inprogress; the remote attributes of a service segment; a repeated
 * key's later place). */
bool index_attributes(Attrs *a, SpanRec *span, const Options *opt, bool *in_progress, bool *local_root,
                      bool service) {
    memset(a->by_id, 0, sizeof a->by_id);
    a->span = span;
    *in_progress = *local_root = false;
    Attr *listed = NULL;
    for (size_t i = 0; i < span->nattrs; i++) { /* a repeated key: first place, last value (a dict) */
        Attr *attr = &span->attrs[i];
        attr->hash = key_hash(attr->key);
        attr->consumed = 0;
        for (size_t j = 0; j < i; j++) {
            Attr *earlier = &span->attrs[j];
            if (earlier->consumed != 3 && earlier->hash == attr->hash && earlier->key.n == attr->key.n &&
                memcmp(earlier->key.p, attr->key.p, attr->key.n) == 0) {
                earlier->v = attr->v;
                attr->consumed = 3;
                break;
            }
        }
    }
    for (size_t i = 0; i < span->nattrs; i++) {
        Attr *attr = &span->attrs[i];
        attr->indexed = 0;
        if (attr->consumed == 3) { /* a repeated key, merged into its first place */
            attr->consumed = 2;
            attr->id = -1;
            continue;
        }
        for (size_t k = 0; k < opt->nindexed; k++)
            if (opt->indexed_hashes[k] == attr->hash && opt->indexed_names[k].n == attr->key.n &&
                memcmp(opt->indexed_names[k].p, attr->key.p, attr->key.n) == 0)
                attr->indexed = 1;
        attr->id = (int16_t)key_id(attr->key, attr->hash);
        if (service && is_remote_attribute(attr->key)) {
            attr->consumed = 2;
            continue;
        }
        if (attr->id < 0) continue;
        if (attr->id == KEY_AWS_XRAY_ANNOTATIONS && attr->v.kind == V_ARRAY) { /* a list: keys to index */
            listed = attr;
            attr->consumed = 2;
            continue;
        }
        if (attr->id == KEY_AWS_SPAN_KIND && SLICE_IS(as_str(attr), "LOCAL_ROOT")) *local_root = true;
        if (attr->id == KEY_AWS_XRAY_INPROGRESS) { /* read and removed before any block */
            *in_progress = attr->v.kind == V_BOOL && attr->v.i;
            attr->consumed = 2;
            continue;
        }
        a->by_id[attr->id] = attr;
    }
    return listed == NULL || index_listed(span, listed);
}

void restore_indexed(SpanRec *span, Attrs *a) {
    /* add_special_attributes: consumed attributes named in indexed_attributes come back */
    for (size_t i = 0; i < span->nattrs; i++) {
        Attr *attr = &span->attrs[i];
        if (attr->consumed == 1 && (attr->indexed & 1)) attr->consumed = 0;
    }
    if (a->by_id[KEY_ENDUSER_ID] != NULL) a->by_id[KEY_ENDUSER_ID]->consumed = 1; /* it is the user */
}

