/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vtep-dead-secondary: attach to a running DPDK primary as a secondary process, take the
 * shared memory hotplug lock and die with SIGKILL while holding it, as a dpdk-dumpcap
 * killed during its EAL init does. The integration tests use it to prove that vtepsw still
 * stops (tools: test/integration/vtepctl_pdump.sh).
 *
 * Usage: vtep-dead-secondary --file-prefix=PREFIX [other EAL options]
 */
#include <signal.h>
#include <stdio.h>

#include <rte_eal.h>
#include <rte_eal_memconfig.h>
#include <rte_errno.h>

int
main(int argc, char **argv)
{
	if (argc > 1 && (argv[1][0] == '-' && argv[1][1] == 'h')) {
		printf("Usage: vtep-dead-secondary --file-prefix=PREFIX [EAL options]\n"
			"Attach to the DPDK primary with that prefix as a secondary process,\n"
			"take its shared memory lock and die by SIGKILL while holding it.\n");
		return 0;
	}
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "vtep-dead-secondary: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	if (rte_eal_process_type() != RTE_PROC_SECONDARY) {
		fprintf(stderr, "vtep-dead-secondary: no primary to attach to (use --proc-type=secondary)\n");
		return 1;
	}
	rte_mcfg_mem_write_lock();
	printf("vtep-dead-secondary: holding the memory lock, dying\n");
	fflush(stdout);
	raise(SIGKILL);
	return 1;
}
