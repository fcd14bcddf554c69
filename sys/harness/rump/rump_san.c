/*
 * rump_san.c: sanitizer settings for the host platform's test programs.
 *
 * Linked into test programs only, not into the library.  LeakSanitizer
 * is told about the allocations libatf-c keeps until exit (its own
 * bookkeeping, not ours); anything the kernel leaks is still reported.
 */

const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{

	return "leak:libatf-c.so\n";
}

const char *__lsan_default_options(void);

const char *
__lsan_default_options(void)
{

	return "print_suppressions=0";
}
