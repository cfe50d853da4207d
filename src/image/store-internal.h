#pragma once

/* Private to the content store (store.c, store-txn.c). store.c reads,
 * tags and collects garbage; store-txn.c stages and commits (hashing with
 * libcrypto, unpacking with libarchive), so that a binary that only reads
 * the store links neither. */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "image/store.h"
#include "lib/macros.h"

struct Store {
        char *root;
        int root_fd;
        int lock_fd;
        unsigned lock_depth;
        bool lock_exclusive;
        StoreOpts o;
        uint64_t skipped_devices;
};

struct StoreTxn {
        Store *s;
        char *name; /* tmp/<name> */
        int dir_fd;
        int lock_fd;
        bool locked;
};

#define _cleanup_json_ _cleanup_(json_decrefp)

int store_json_load_at(int dirfd, const char *path, json_t **ret, Error **ret_err);
int store_json_save_at(Store *s, const char *path, json_t *j, Error **ret_err);
const char *store_json_str(json_t *o, const char *key);
/* Remove the staging dirs of writers that died. */
void store_txn_sweep(Store *s);
int store_blob_open(Store *s, StoreTxn *t, const char *digest, Error **ret_err);
bool store_layer_in_store(Store *s, const char *diff_id);
int store_read_json_blob(Store *s, StoreTxn *t, const char *digest, json_t **ret, Error **ret_err);
json_t *store_load_tags(Store *s, Error **ret_err);
int store_tags_set(Store *s, char *const *tags, const char *id, Error **ret_err);
