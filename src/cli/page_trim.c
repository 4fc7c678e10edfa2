/* page_trim — see page_trim.h. Read-only file mappings only: a writable one, or one whose pages
 * were written (relocated data behind RELRO included), holds content that exists nowhere
 * else and is never touched. */
#include "cli/page_trim.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

typedef struct {
    unsigned long start, end;
    bool candidate; /* file-backed and not writable */
    long dirty;     /* kB of Private_Dirty + Shared_Dirty */
} mapping;

static int drop(const mapping *m)
{
    if (!m->candidate || m->dirty != 0 || m->end <= m->start)
        return 0;
    return madvise((void *)m->start, m->end - m->start, MADV_DONTNEED) == 0;
}

/* A header line of smaps: "start-end perms offset dev inode [path]". */
static bool header(const char *line, mapping *m)
{
    char perms[8], path[512] = "";
    unsigned long off, inode;
    char dev[16];

    if (sscanf(line, "%lx-%lx %7s %lx %15s %lu %511s", &m->start, &m->end, perms, &off, dev,
               &inode, path) < 6)
        return false;
    m->candidate = inode != 0 && path[0] == '/' && perms[1] != 'w';
    m->dirty = 0;
    return true;
}

int clv_trim_clean_file_pages(void)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[1024];
    mapping m = {0};
    long kb;
    int dropped = 0;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "Private_Dirty: %ld kB", &kb) == 1 ||
            sscanf(line, "Shared_Dirty: %ld kB", &kb) == 1) {
            m.dirty += kb;
        } else if (strchr(line, '-') != NULL && line[0] != ' ' && strchr(line, ':') != NULL &&
                   strncmp(line, "VmFlags", 7) != 0) {
            mapping next;
            if (header(line, &next)) {
                dropped += drop(&m);
                m = next;
            }
        }
    }
    dropped += drop(&m);
    fclose(f);
    return dropped;
}
