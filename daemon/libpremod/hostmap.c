// SPDX-License-Identifier: MIT
/*
 * hostmap.c - (device, path within the filesystem) to the host's path,
 * from the initial mount namespace's table. See hostmap.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hostmap.h"
#include "premod.h"

struct mnt {
	uint32_t dev;
	char *root;		/* within the filesystem, unescaped */
	char *point;		/* mount point, unescaped */
	size_t root_len, point_len;
};

struct pm_hostmap {
	char *file;
	int fd;
	struct mnt *v;
	size_t n;
};

struct pm_hostmap *pm_hostmap_new(const char *mountinfo)
{
	struct pm_hostmap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->file = strdup(mountinfo ? mountinfo : "/proc/1/mountinfo");
	if (!m->file) {
		free(m);
		return NULL;
	}
	m->fd = -1;
	return m;
}

static void clear(struct pm_hostmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].root);
		free(m->v[i].point);
	}
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

void pm_hostmap_free(struct pm_hostmap *m)
{
	if (!m)
		return;
	clear(m);
	if (m->fd >= 0)
		close(m->fd);
	free(m->file);
	free(m);
}

size_t pm_hostmap_count(const struct pm_hostmap *m)
{
	return m->n;
}

/* One space-separated field of @s (mountinfo escapes \ooo), or NULL. */
static char *field(const char **s, const char *end)
{
	const char *p = *s, *start;
	char *out, *o;

	while (p < end && *p == ' ')
		p++;
	start = p;
	while (p < end && *p != ' ')
		p++;
	if (p == start)
		return NULL;
	out = malloc((size_t)(p - start) + 1);
	if (!out)
		return NULL;
	for (o = out; start < p; start++) {
		if (start[0] == '\\' && p - start >= 4 &&
		    start[1] >= '0' && start[1] <= '3' &&
		    start[2] >= '0' && start[2] <= '7' &&
		    start[3] >= '0' && start[3] <= '7') {
			*o++ = (char)((start[1] - '0') << 6 |
				      (start[2] - '0') << 3 | (start[3] - '0'));
			start += 3;
		} else {
			*o++ = *start;
		}
	}
	*o = '\0';
	*s = p;
	return out;
}

/* "ID PARENT MAJ:MIN ROOT POINT ...": 0, 1 (skip the line), -ENOMEM. */
static int parse_line(const char *s, const char *end, struct mnt *out)
{
	char *f[5] = { 0 };
	unsigned int maj, min;
	int i, ret = 1;

	for (i = 0; i < 5; i++) {
		f[i] = field(&s, end);
		if (!f[i])
			goto out;
	}
	if (sscanf(f[2], "%u:%u", &maj, &min) != 2 || f[3][0] != '/' ||
	    f[4][0] != '/')
		goto out;
	out->dev = (uint32_t)makedev(maj, min);
	out->root = f[3];
	out->point = f[4];
	out->root_len = strlen(f[3]);
	out->point_len = strlen(f[4]);
	f[3] = f[4] = NULL;
	ret = 0;
out:
	for (i = 0; i < 5; i++)
		free(f[i]);
	return ret;
}

int pm_hostmap_load_text(struct pm_hostmap *m, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	struct mnt *v = NULL;
	size_t n = 0, cap = 0;
	int skipped = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		int r;

		if (eol > p) {
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 64;
				struct mnt *nv = realloc(v, nc * sizeof(*v));

				if (!nv)
					goto nomem;
				v = nv;
				cap = nc;
			}
			r = parse_line(p, eol, &v[n]);
			if (r < 0)
				goto nomem;
			if (r == 0)
				n++;
			else
				skipped++;
		}
		p = eol + 1;
	}
	clear(m);
	m->v = v;
	m->n = n;
	return skipped;
nomem:
	for (size_t i = 0; i < n; i++) {
		free(v[i].root);
		free(v[i].point);
	}
	free(v);
	return -ENOMEM;
}

static int read_all(int fd, char **out, size_t *outlen)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	if (lseek(fd, 0, SEEK_SET) < 0)
		goto fail;
	for (;;) {
		ssize_t r;

		if (len == cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	*out = buf;
	*outlen = len;
	return 0;
fail:
	{
		int e = errno;

		free(buf);
		return -e;
	}
}

int pm_hostmap_refresh(struct pm_hostmap *m)
{
	char *text = NULL;
	size_t len = 0;
	int ret;

	if (m->fd < 0) {
		m->fd = open(m->file, O_RDONLY | O_CLOEXEC);
		if (m->fd < 0)
			return -errno;
	} else {
		struct pollfd pfd = { .fd = m->fd, .events = POLLPRI };

		/* A changed table raises POLLPRI|POLLERR once per change. */
		if (poll(&pfd, 1, 0) <= 0 ||
		    !(pfd.revents & (POLLPRI | POLLERR)))
			return 0;
	}
	ret = read_all(m->fd, &text, &len);
	if (ret < 0)
		return ret;
	ret = pm_hostmap_load_text(m, text, len);
	free(text);
	return ret < 0 ? ret : 1;
}

/*
 * The rest of @path below @dir ("" when equal, "/x..." below), or NULL
 * when @path is not @dir or inside it. "/" contains every path.
 */
static const char *below(const char *path, const char *dir, size_t dlen)
{
	if (dlen == 1 && dir[0] == '/')
		return path[1] ? path : "";
	if (strncmp(path, dir, dlen))
		return NULL;
	if (path[dlen] == '\0' || path[dlen] == '/')
		return path + dlen;
	return NULL;
}

/* mount point + rest, into buf. */
static int join(const struct mnt *e, const char *rest, char *buf, size_t len)
{
	int n;

	if (e->point_len == 1 && *rest)
		n = snprintf(buf, len, "%s", rest);
	else
		n = snprintf(buf, len, "%s%s", e->point, rest);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/*
 * Whether host name @h (made from mount @e) reaches the same object: no
 * other mount hides it, or every one that does shows the same object there.
 */
static bool visible(const struct pm_hostmap *m, size_t ei, const char *h,
		    uint32_t dev, const char *fs_path)
{
	const struct mnt *e = &m->v[ei];

	for (size_t i = 0; i < m->n; i++) {
		const struct mnt *o = &m->v[i];
		const char *rest, *frest;

		if (i == ei)
			continue;
		/* Another mount on the same point hides e only if later. */
		if (o->point_len == e->point_len &&
		    !strcmp(o->point, e->point)) {
			if (i < ei)
				continue;
		} else if (o->point_len <= e->point_len ||
			   !below(o->point, e->point, e->point_len)) {
			continue;	/* not inside e */
		}
		rest = below(h, o->point, o->point_len);
		if (!rest)
			continue;
		/* o is what h reaches: fine if it shows the same path. */
		if (o->dev != dev)
			return false;
		frest = below(fs_path, o->root, o->root_len);
		if (!frest || strcmp(frest, rest))
			return false;
	}
	return true;
}

int pm_hostmap_lookup(const struct pm_hostmap *m, uint32_t dev, const char *fs_path,
		   char *buf, size_t len)
{
	size_t best = (size_t)-1;
	bool toolong = false;

	if (!fs_path || fs_path[0] != '/')
		return -ENOENT;
	for (size_t i = 0; i < m->n; i++) {
		const struct mnt *e = &m->v[i];
		const char *rest;
		int r;

		if (e->dev != dev)
			continue;
		rest = below(fs_path, e->root, e->root_len);
		if (!rest)
			continue;
		if (best != (size_t)-1 && m->v[best].root_len <= e->root_len)
			continue;	/* shorter root, or mounted first, wins */
		r = join(e, rest, buf, len);
		if (r) {
			toolong = true;
			continue;
		}
		if (!visible(m, i, buf, dev, fs_path))
			continue;
		best = i;
	}
	if (best == (size_t)-1)
		return toolong ? -ENAMETOOLONG : -ENOENT;
	return join(&m->v[best], below(fs_path, m->v[best].root,
				       m->v[best].root_len), buf, len);
}

static void map_one(struct pm_hostmap *m, struct pm_event *ev, enum pm_field path,
		    enum pm_field task, enum pm_field fs, char *buf,
		    size_t len, bool relative)
{
	const char *p = pm_event_str(ev, path);
	const char *f = pm_event_str(ev, fs);

	if (!p)
		return;
	/* Neither fs_path nor its error flag: an older module's event. */
	if (!f && !(ev->num[PM_F_FLAGS] & PREMOD_F_FS_PATH_ERROR))
		return;
	if (!relative)
		pm_event_set_str(ev, task, p);
	if (f && pm_event_has(ev, PM_F_DEV) &&
	    pm_hostmap_lookup(m, (uint32_t)ev->num[PM_F_DEV], f, buf, len) == 0) {
		pm_event_set_str(ev, path, buf);
		return;
	}
	ev->num[PM_F_FLAGS] |= PREMOD_F_NO_HOST_PATH;
	ev->has |= 1ULL << PM_F_FLAGS;
}

void pm_hostmap_apply(struct pm_hostmap *m, struct pm_event *ev,
		   struct pm_hostmap_names *out)
{
	bool relative;

	pm_hostmap_refresh(m);
	relative = pm_event_has(ev, PM_F_FLAGS) &&
		   (ev->num[PM_F_FLAGS] & PREMOD_F_FS_RELATIVE);
	map_one(m, ev, PM_F_PATH, PM_F_TASK_PATH, PM_F_FS_PATH, out->path,
		sizeof(out->path), relative);
	map_one(m, ev, PM_F_PATH2, PM_F_TASK_PATH2, PM_F_FS_PATH2, out->path2,
		sizeof(out->path2), relative);
	if (pm_event_has(ev, PM_F_EXE_DEV) &&
	    pm_event_has(ev, PM_F_EXE_FS_PATH) &&
	    pm_hostmap_lookup(m, (uint32_t)ev->num[PM_F_EXE_DEV],
			   pm_event_str(ev, PM_F_EXE_FS_PATH), out->exe,
			   sizeof(out->exe)) == 0)
		pm_event_set_str(ev, PM_F_EXE, out->exe);
}
