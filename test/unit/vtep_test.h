/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared set-up for unit tests that need EAL: one initialisation per test binary, without
 * hugepages or PCI, with a per-process file prefix so tests can run in parallel.
 */
#ifndef VTEP_TEST_H
#define VTEP_TEST_H

#include <stdio.h>
#include <unistd.h>

#include <check.h>

#include <rte_eal.h>

/** Exit status meaning "skipped" for meson and tools/test.sh. */
#define VTEP_TEST_SKIP 77

/**
 * Initialise EAL for test binary @p name with @p mem_mb MiB of memory.
 * @return 0, or VTEP_TEST_SKIP after printing why (the caller returns it from main).
 */
static inline int
vtep_test_eal_init(const char *name, const char *mem_mb)
{
	char prefix[64];
	char *argv[] = { (char *)(uintptr_t)name, "-l", "0", "--no-huge", "-m",
			 (char *)(uintptr_t)mem_mb, "--no-pci", "--no-shconf", prefix,
			 "--log-level=*:warning", NULL };

	snprintf(prefix, sizeof(prefix), "--file-prefix=ck%s%d", name, (int)getpid());
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		printf("SKIP: %s: EAL init failed (no memory or /dev/shm?)\n", name);
		return VTEP_TEST_SKIP;
	}
	return 0;
}

/** Run suite @p s in this process (EAL is not fork-safe). @return the number of failures. */
static inline int
vtep_test_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed;
}

#endif
