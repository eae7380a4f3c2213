/* symbols.c — the name of a function in this program, from its address.
 *
 * A trace says "ran step_callback", not "ran 0x55d0c3a1f2b0". dladdr only
 * knows exported symbols, and a lab's callbacks are static functions, so
 * this reads the program's own ELF symbol table (/proc/self/exe) once and
 * looks addresses up in it. Used only while tracing (trace.c). */
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kettle/loop.h"
#include "kettle/trace_impl.h"

typedef struct sym {
    uintptr_t start, end;
    char *name;
} sym;

static sym *table;
static size_t count;
static int loaded;

static int by_start(const void *a, const void *b)
{
    uintptr_t x = ((const sym *)a)->start, y = ((const sym *)b)->start;
    return x < y ? -1 : x > y;
}

/* The main program's load address (0 for a non-PIE executable). */
static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    *(uintptr_t *)data = (uintptr_t)info->dlpi_addr;
    return 1; /* the first object is the program itself */
}

/* Collect the FUNC symbols of one symbol table section. */
static void add_symbols(const unsigned char *img, size_t len, const Elf64_Shdr *sh,
                        const Elf64_Shdr *strsh, uintptr_t base)
{
    if (sh->sh_offset + sh->sh_size > len || strsh->sh_offset + strsh->sh_size > len ||
        sh->sh_entsize != sizeof(Elf64_Sym))
        return;
    const Elf64_Sym *s = (const Elf64_Sym *)(img + sh->sh_offset);
    size_t n = sh->sh_size / sizeof *s;
    const char *strs = (const char *)(img + strsh->sh_offset);
    sym *grown = realloc(table, (count + n) * sizeof *table);
    if (grown == NULL)
        return;
    table = grown;
    for (size_t i = 0; i < n; i++) {
        if (ELF64_ST_TYPE(s[i].st_info) != STT_FUNC || s[i].st_value == 0 ||
            s[i].st_name >= strsh->sh_size)
            continue;
        char *name = strdup(strs + s[i].st_name);
        if (name == NULL)
            continue;
        table[count].start = base + s[i].st_value;
        table[count].end = table[count].start + (s[i].st_size ? s[i].st_size : 1);
        table[count].name = name;
        count++;
    }
}

static void load(void)
{
    loaded = 1;
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
        close(fd);
        return;
    }
    size_t len = (size_t)st.st_size;
    const unsigned char *img = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (img == MAP_FAILED)
        return;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
    uintptr_t base = 0;
    dl_iterate_phdr(first_object, &base);
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 && eh->e_ident[EI_CLASS] == ELFCLASS64 &&
        eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) <= len) {
        const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
        for (unsigned i = 0; i < eh->e_shnum; i++)
            if (sh[i].sh_type == SHT_SYMTAB && sh[i].sh_link < eh->e_shnum)
                add_symbols(img, len, &sh[i], &sh[sh[i].sh_link], base);
    }
    munmap((void *)img, len);
    qsort(table, count, sizeof *table, by_start);
}

const char *kt__symbol_name(const void *addr, char *buf, size_t len)
{
    if (!loaded)
        load();
    uintptr_t a = (uintptr_t)addr;
    size_t lo = 0, hi = count;
    while (lo < hi) { /* the last symbol starting at or before a */
        size_t mid = lo + (hi - lo) / 2;
        if (table[mid].start <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && a < table[lo - 1].end)
        return table[lo - 1].name;
    Dl_info info; /* a function of a shared library */
    if (dladdr(addr, &info) != 0 && info.dli_sname != NULL)
        return info.dli_sname;
    snprintf(buf, len, "fn@%p", addr);
    return buf;
}

void kt__symbols_free(void)
{
    for (size_t i = 0; i < count; i++)
        free(table[i].name);
    free(table);
    table = NULL;
    count = 0;
    loaded = 0;
}
