/* page_trim — hands back to the kernel the pages of shared libraries that start-up touched and
 * serving does not use, so that an idle server's resident memory is what it needs. */
#ifndef CLV_CLI_PAGE_TRIM_H
#define CLV_CLI_PAGE_TRIM_H

/* Drops from this process's page tables every page of a file mapping that is not
 * writable and holds no page of its own (Private_Dirty and Shared_Dirty 0, from
 * /proc/self/smaps): the text and constants of libraries. Such a page is the file's own
 * content, so the next access faults it back in from the page cache unchanged. Returns
 * the number of mappings dropped (-1 if smaps cannot be read). */
int clv_trim_clean_file_pages(void);

#endif
