/* The attribute keys the blocks read, looked up by hash (one probe per attribute of a span). */
#include "native.h"

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

