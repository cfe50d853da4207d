/* Resumable blob downloads; see partial.h. */
#include "image/partial.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/ref.h"
#include "lib/macros.h"
#include "lib/util.h"

struct PartialBlob {
        char digest[72];
        int dir_fd; /* <root>/partial */
        int fd;
        uint64_t size;
        EVP_MD_CTX *md;
};

void partial_free(PartialBlob *p)
{
        if (!p)
                return;
        safe_close(p->fd);
        safe_close(p->dir_fd);
        EVP_MD_CTX_free(p->md);
        free(p);
}

/* Hash what the file holds already, and leave its offset at the end. */
static int partial_rehash(PartialBlob *p)
{
        _cleanup_free_ char *buf = malloc(1 << 20);
        ssize_t n;

        if (!buf)
                return -ENOMEM;
        if (EVP_DigestInit_ex(p->md, EVP_sha256(), NULL) != 1)
                return -ENOMEM;
        p->size = 0;
        if (lseek(p->fd, 0, SEEK_SET) < 0)
                return -errno;
        while ((n = read(p->fd, buf, 1 << 20)) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (EVP_DigestUpdate(p->md, buf, (size_t)n) != 1)
                        return -EIO;
                p->size += (uint64_t)n;
        }
        return 0;
}

int partial_open(Store *s, const char *digest, PartialBlob **ret, Error **ret_err)
{
        _cleanup_(partial_freep) PartialBlob *p = NULL;
        _cleanup_free_ char *dir = NULL;
        int r;

        if (!digest_is_valid(digest))
                return error_setx(ret_err, EINVAL, "bad digest %s", digest);
        p = calloc(1, sizeof(*p));
        if (!p)
                return error_set(ret_err, ENOMEM, "blob %s", digest);
        p->dir_fd = p->fd = -EBADF;
        snprintf(p->digest, sizeof(p->digest), "%s", digest);
        p->md = EVP_MD_CTX_new();
        if (!p->md || asprintf(&dir, "%s/partial", store_root(s)) < 0)
                return error_set(ret_err, ENOMEM, "blob %s", digest);
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return error_set(ret_err, errno, "mkdir %s", dir);
        p->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (p->dir_fd < 0)
                return error_set(ret_err, errno, "open %s", dir);
        for (;;) {
                struct stat a, b;

                p->fd = openat(p->dir_fd, digest + 7, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (p->fd < 0)
                        return error_set(ret_err, errno, "open %s/%s", dir, digest + 7);
                if (flock(p->fd, LOCK_EX) < 0)
                        return error_set(ret_err, errno, "lock %s/%s", dir, digest + 7);
                /* the writer we waited for may have moved its file into a
                 * staging dir (it is complete, maybe in the store already):
                 * writing to that inode would change a blob under the
                 * store, so start on a new file of our own */
                if (fstat(p->fd, &a) < 0)
                        return error_set(ret_err, errno, "stat %s/%s", dir, digest + 7);
                if (fstatat(p->dir_fd, digest + 7, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_ino == b.st_ino &&
                    a.st_dev == b.st_dev)
                        break;
                p->fd = safe_close(p->fd);
        }
        r = partial_rehash(p);
        if (r < 0)
                return error_set(ret_err, -r, "read %s/%s", dir, digest + 7);
        *ret = TAKE_PTR(p);
        return 0;
}

void partial_sweep(Store *s, time_t max_age)
{
        _cleanup_free_ char *dir = NULL;
        struct dirent *de;
        DIR *d;

        if (asprintf(&dir, "%s/partial", store_root(s)) < 0)
                return;
        d = opendir(dir);
        if (!d)
                return;
        while ((de = readdir(d))) {
                _cleanup_close_ int fd = -EBADF;
                struct stat st;

                if (!hex64_is_valid(de->d_name))
                        continue;
                fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                /* a writer holds its lock: not ours to judge */
                if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0 || fstat(fd, &st) < 0 ||
                    st.st_mtime > time(NULL) - max_age)
                        continue;
                (void)unlinkat(dirfd(d), de->d_name, 0);
        }
        closedir(d);
}

uint64_t partial_size(const PartialBlob *p)
{
        return p->size;
}

int partial_write(PartialBlob *p, const void *buf, size_t len)
{
        int r = write_all(p->fd, buf, len);

        if (r < 0)
                return r;
        if (EVP_DigestUpdate(p->md, buf, len) != 1)
                return -EIO;
        p->size += len;
        return 0;
}

int partial_reset(PartialBlob *p)
{
        if (ftruncate(p->fd, 0) < 0)
                return -errno;
        return partial_rehash(p);
}

int partial_commit(PartialBlob *p, StoreTxn *t, Error **ret_err)
{
        unsigned char h[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        char got[72] = "sha256:", to[96];

        if (EVP_DigestFinal_ex(p->md, h, &n) != 1 || n != 32)
                return error_setx(ret_err, EIO, "sha256 of blob %s", p->digest);
        for (unsigned i = 0; i < n; i++)
                snprintf(got + 7 + 2 * i, 3, "%02x", h[i]);
        if (!streq(got, p->digest)) {
                /* a wrong file must not be resumed: start afresh next time */
                (void)unlinkat(p->dir_fd, p->digest + 7, 0);
                return error_setx(ret_err, EBADMSG, "blob %s: content has digest %s (corrupted or tampered)", p->digest,
                                  got);
        }
        snprintf(to, sizeof(to), "blobs/%s", p->digest + 7);
        if (renameat(p->dir_fd, p->digest + 7, store_txn_dir_fd(t), to) < 0)
                return error_set(ret_err, errno, "stage blob %s", p->digest);
        return 0;
}
