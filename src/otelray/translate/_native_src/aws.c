/* The aws and sql blocks (to_xray/aws.py makeAws, to_xray/sql.py makeSQL). */
#include "native.h"

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

void make_sql(Buf *b, Attrs *a) {
    Attr *system = get(a, KEY_DB_SYSTEM);
    if (!has_value(system) || !is_sql_system(as_str(system))) return;
    static const int KEYS[] = {KEY_DB_CONNECTION_STRING, KEY_DB_SYSTEM, KEY_DB_NAME, KEY_DB_STATEMENT, KEY_DB_USER};
    for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++) consume(a, KEYS[i]);
    Slice conn = as_str(get(a, KEY_DB_CONNECTION_STRING));
    Slice name = as_str(get(a, KEY_DB_NAME));
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

