# share/mk/tests.mk: the Kyuafiles of the test tree.  Each test directory
# has a Makefile.inc of its own that adds its programs to TESTS (built for
# every host variant) and, where they run in the kernel, to KERNEL_TESTS.

KYUAFILES+=	tests/Kyuafile
KYUAFILES+=	tests/kern/Kyuafile
