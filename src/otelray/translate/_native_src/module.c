/* otelray.translate._native: the Python entry point (see otelray/translate/to_xray/request.py).
 *
 * translate(payload, settings, now, new_id, prepare_resource, fallback, documents) -> int | None
 *
 * Scans the whole serialized request first; if it is not plainly well formed returns None before
 * calling anything (the caller then decodes it with protobuf, which raises or translates). Otherwise,
 * per ResourceSpans, calls prepare_resource(resource_bytes) for the pre-encoded resource parts (None:
 * all its spans go to the fallback), then for each span appends its document to `documents` or calls
 * fallback(span_bytes, replay), which translates that span with the Python modules in place, first
 * reusing the last `replay` ids new_id() gave for the abandoned native attempt (so every id is the
 * one the Python translator alone would have drawn). Returns the number of spans translated here.
 */
#include "native.h"

typedef struct {
    PyObject *owner; /* the tuple the slices point into */
    ResourceInfo info;
} PreparedResource;

static bool as_slice(PyObject *o, Slice *out) {
    char *p;
    Py_ssize_t n;
    if (!PyBytes_Check(o) || PyBytes_AsStringAndSize(o, &p, &n) < 0) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "expected bytes");
        return false;
    }
    *out = (Slice){(const uint8_t *)p, (size_t)n};
    return true;
}

/* entries: list of (key bytes, value JSON bytes) */
static bool read_entries(PyObject *list, Slice **keys, Slice **values, size_t *n) {
    if (!PyList_Check(list)) {
        PyErr_SetString(PyExc_TypeError, "expected a list of (bytes, bytes)");
        return false;
    }
    *n = (size_t)PyList_GET_SIZE(list);
    *keys = PyMem_Calloc(*n + 1, sizeof(Slice));
    *values = PyMem_Calloc(*n + 1, sizeof(Slice));
    if (*keys == NULL || *values == NULL) {
        PyErr_NoMemory();
        return false;
    }
    for (size_t i = 0; i < *n; i++) {
        PyObject *item = PyList_GET_ITEM(list, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2 || !as_slice(PyTuple_GET_ITEM(item, 0), &(*keys)[i]) ||
            !as_slice(PyTuple_GET_ITEM(item, 1), &(*values)[i])) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "expected a list of (bytes, bytes)");
            return false;
        }
    }
    return true;
}

static void resource_clear(PreparedResource *r) {
    PyMem_Free(r->info.annotation_keys);
    PyMem_Free(r->info.annotation_values);
    PyMem_Free(r->info.metadata_keys);
    PyMem_Free(r->info.metadata_values);
    Py_CLEAR(r->owner);
    memset(&r->info, 0, sizeof r->info);
}

/* (service_json|None, origin_json|None, is_aws, account, aws_parts, service_name, annotations, metadata) */
static bool resource_read(PyObject *t, PreparedResource *r) {
    memset(&r->info, 0, sizeof r->info);
    r->owner = NULL;
    if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 8) {
        PyErr_SetString(PyExc_TypeError, "prepare_resource must return an 8-tuple or None");
        return false;
    }
    Py_INCREF(t);
    r->owner = t;
    ResourceInfo *i = &r->info;
    PyObject *service = PyTuple_GET_ITEM(t, 0), *origin = PyTuple_GET_ITEM(t, 1);
    i->has_service = service != Py_None;
    i->has_origin = origin != Py_None;
    if ((i->has_service && !as_slice(service, &i->service_json)) || (i->has_origin && !as_slice(origin, &i->origin_json)))
        return false;
    int is_aws = PyObject_IsTrue(PyTuple_GET_ITEM(t, 2));
    if (is_aws < 0) return false;
    i->is_aws = is_aws;
    return as_slice(PyTuple_GET_ITEM(t, 3), &i->account) && as_slice(PyTuple_GET_ITEM(t, 4), &i->aws_parts) &&
           as_slice(PyTuple_GET_ITEM(t, 5), &i->service_name) &&
           read_entries(PyTuple_GET_ITEM(t, 6), &i->annotation_keys, &i->annotation_values, &i->nannotations) &&
           read_entries(PyTuple_GET_ITEM(t, 7), &i->metadata_keys, &i->metadata_values, &i->nmetadata);
}

/* settings: (indexed_attributes, index_all, allow_dot, skip_timestamp_validation, max_document_bytes, is_ip,
 *            exceptions, metadata) */
static bool options_read(PyObject *settings, double now, PyObject *new_id, Options *o) {
    memset(o, 0, sizeof *o);
    if (!PyTuple_Check(settings) || PyTuple_GET_SIZE(settings) != 8) {
        PyErr_SetString(PyExc_TypeError, "settings must be an 8-tuple");
        return false;
    }
    PyObject *indexed = PyTuple_GET_ITEM(settings, 0);
    if (!PyTuple_Check(indexed)) {
        PyErr_SetString(PyExc_TypeError, "indexed_attributes must be a tuple of str");
        return false;
    }
    o->nindexed = (size_t)PyTuple_GET_SIZE(indexed);
    o->indexed_names = PyMem_Calloc(o->nindexed + 1, sizeof(Slice));
    o->indexed_hashes = PyMem_Calloc(o->nindexed + 1, sizeof(uint32_t));
    if (o->indexed_names == NULL || o->indexed_hashes == NULL) {
        PyErr_NoMemory();
        return false;
    }
    for (size_t k = 0; k < o->nindexed; k++) {
        Py_ssize_t n;
        const char *s = PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(indexed, k), &n);
        if (s == NULL) return false;
        o->indexed_names[k] = (Slice){(const uint8_t *)s, (size_t)n};
        o->indexed_hashes[k] = key_hash(o->indexed_names[k]);
    }
    int flags[3];
    for (int k = 0; k < 3; k++)
        if ((flags[k] = PyObject_IsTrue(PyTuple_GET_ITEM(settings, k + 1))) < 0) return false;
    o->index_all = flags[0];
    o->allow_dot = flags[1];
    o->skip_timestamp_validation = flags[2];
    o->max_document_bytes = PyLong_AsLongLong(PyTuple_GET_ITEM(settings, 4));
    if (o->max_document_bytes == -1 && PyErr_Occurred()) return false;
    o->helpers.is_ip = PyTuple_GET_ITEM(settings, 5);
    o->helpers.exceptions = PyTuple_GET_ITEM(settings, 6);
    o->helpers.metadata = PyTuple_GET_ITEM(settings, 7);
    o->now = now;
    o->new_id = new_id;
    return true;
}

static void options_clear(Options *o) {
    PyMem_Free(o->indexed_names);
    PyMem_Free(o->indexed_hashes);
}

static int call_fallback(PyObject *fallback, Slice span, long replay) {
    PyObject *r = PyObject_CallFunction(fallback, "y#l", (const char *)span.p, (Py_ssize_t)span.n, replay);
    if (r == NULL) return -1;
    Py_DECREF(r);
    return 0;
}

/* One span: 1 native, 0 fallback called, -1 error. */
static int one_span(Slice bytes, SpanRec *span, const PreparedResource *res, const Options *opt, Buf *b,
                    Scratch *scratch, PyObject *fallback, PyObject *documents) {
    scratch->ids_used = 0;
    if (res->owner != NULL && span_read(bytes, span)) {
        b->len = 0;
        b->decline = b->failed = false;
        int rc = segment_write(b, span, &res->info, opt, scratch);
        if (rc < 0) return -1;
        if (b->failed) {
            PyErr_NoMemory();
            return -1;
        }
        size_t split = scratch->split ? scratch->split : b->len;
        long long limit = opt->max_document_bytes;
        if (rc == 1 && !b->decline && (long long)split <= limit && (long long)(b->len - split) <= limit) {
            size_t bounds[3] = {0, split, b->len};
            for (int i = 0; i < 2 && bounds[i] < bounds[i + 1]; i++) {
                PyObject *doc = PyUnicode_DecodeUTF8(b->p + bounds[i], (Py_ssize_t)(bounds[i + 1] - bounds[i]), "strict");
                if (doc == NULL) return -1;
                int appended = PyList_Append(documents, doc);
                Py_DECREF(doc);
                if (appended < 0) return -1;
            }
            return 1;
        }
    }
    return call_fallback(fallback, bytes, scratch->ids_used);
}

static PyObject *translate(PyObject *self, PyObject *args) {
    Py_buffer payload;
    PyObject *settings, *new_id, *prepare, *fallback, *documents;
    double now;
    if (!PyArg_ParseTuple(args, "y*O!dOOOO!", &payload, &PyTuple_Type, &settings, &now, &new_id, &prepare, &fallback,
                          &PyList_Type, &documents))
        return NULL;
    PyObject *result = NULL;
    Request req;
    Options opt;
    Buf b;
    buf_init(&b);
    Scratch scratch;
    memset(&scratch, 0, sizeof scratch);
    SpanRec *span = PyMem_Malloc(sizeof(SpanRec));
    long long native = 0;
    if (span == NULL) {
        PyErr_NoMemory();
        PyBuffer_Release(&payload);
        return NULL;
    }
    if (!options_read(settings, now, new_id, &opt)) goto out_options;
    if (!request_scan((Slice){payload.buf, (size_t)payload.len}, &req)) {
        request_free(&req);
        result = Py_NewRef(Py_None);
        goto out_options;
    }
    for (size_t r = 0; r < req.nresources; r++) {
        const ResourceRec *rec = &req.resources[r];
        PyObject *resource_bytes = PyBytes_FromStringAndSize((const char *)rec->resource.p, (Py_ssize_t)rec->resource.n);
        if (resource_bytes == NULL) goto out;
        PyObject *prepared = PyObject_CallOneArg(prepare, resource_bytes);
        Py_DECREF(resource_bytes);
        if (prepared == NULL) goto out;
        PreparedResource res = {0};
        bool ok = prepared == Py_None || resource_read(prepared, &res);
        Py_DECREF(prepared);
        if (!ok) {
            resource_clear(&res);
            goto out;
        }
        for (size_t s = rec->first; s < rec->first + rec->count; s++) {
            int rc = one_span(req.spans[s], span, &res, &opt, &b, &scratch, fallback, documents);
            if (rc < 0) {
                resource_clear(&res);
                goto out;
            }
            native += rc;
        }
        resource_clear(&res);
    }
    result = PyLong_FromLongLong(native);
out:
    request_free(&req);
out_options:
    options_clear(&opt);
    buf_free(&b);
    scratch_free(&scratch);
    PyMem_Free(span);
    PyBuffer_Release(&payload);
    return result;
}

static PyObject *go_float(PyObject *self, PyObject *arg) {
    double v = PyFloat_AsDouble(arg);
    if (v == -1.0 && PyErr_Occurred()) return NULL;
    Buf b;
    buf_init(&b);
    json_float(&b, v);
    PyObject *r = b.failed ? PyErr_NoMemory() : b.decline ? Py_NewRef(Py_None) : PyUnicode_FromStringAndSize(b.p, (Py_ssize_t)b.len);
    buf_free(&b);
    return r;
}

static PyMethodDef METHODS[] = {
    {"go_float", go_float, METH_O, "go_float(x) -> str | None: x as the documents write it (None for NaN/Inf)."},
    {"translate", translate, METH_VARARGS,
     "translate(payload, settings, now, new_id, prepare_resource, fallback, documents) -> int | None\n\n"
     "Translate a serialized ExportTraceServiceRequest; see otelray.translate.to_xray.request."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "otelray.translate._native",
                                    "OTLP wire bytes to X-Ray segment documents (C fast path).", -1, METHODS,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__native(void) {
    const uint16_t probe = 1;
    if (*(const uint8_t *)&probe != 1) {
        PyErr_SetString(PyExc_ImportError, "otelray.translate._native supports little-endian machines only");
        return NULL;
    }
    keys_init();
    return PyModule_Create(&MODULE);
}
