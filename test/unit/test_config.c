/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the JSON config loader and writer: every rejection's exact message, defaults,
 * OpenFlow port assignment, canonical output, round trips and atomic save.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <check.h>

#include "vtep_config.h"

/* Directory of the checked-in sample configs (meson sets VTEP_TEST_DATA). */
static const char *
data_dir(void)
{
	const char *d = getenv("VTEP_TEST_DATA");

	return d != NULL ? d : "test/data";
}

/* Path of sample @p name under data/config. */
static const char *
data_file(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/config/%s", data_dir(), name);
	return buf;
}

/* Parse @p json (which must be valid) into @p cfg. */
static void
parse_ok_at(const char *json, struct vtep_config *cfg, int line)
{
	char err[VTEP_CONFIG_ERR_MAX];
	int rc;

	rc = vtep_config_parse(json, strlen(json), "cfg.json", cfg, err);
	ck_assert_msg(rc == 0, "line %d: rc %d: %s", line, rc, err);
}
#define parse_ok(json, cfg) parse_ok_at(json, cfg, __LINE__)

/* A valid prefix most error cases build on: one uplink, one VM port, one tunnel. */
#define BASE_VTEP "\"vtep\": {\"local_ip\": \"10.0.0.1\"}"

static bool
ip4_is(const struct vtep_ip *ip, const char *s)
{
	struct in_addr a;

	return ip->family == AF_INET && inet_pton(AF_INET, s, &a) == 1 && a.s_addr == ip->v4.s_addr;
}

/* ---- valid configs ---- */

START_TEST(test_design_example)
{
	char err[VTEP_CONFIG_ERR_MAX], path[512];
	struct vtep_config cfg;
	int rc;

	rc = vtep_config_load(data_file("design-example.json", path, sizeof(path)), &cfg, err);
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_str_eq(cfg.path, path);
	ck_assert_str_eq(cfg.bridge.name, "br0");
	ck_assert_uint_eq(cfg.bridge.datapath_id, 1);
	ck_assert_int_eq(cfg.bridge.fail_mode, VTEP_FAIL_STANDALONE);
	ck_assert_uint_eq(cfg.bridge.mac_aging_s, 300);
	ck_assert_uint_eq(cfg.bridge.n_controllers, 0);
	ck_assert(ip4_is(&cfg.vtep.local_ip, "10.0.0.1"));
	ck_assert_uint_eq(cfg.vtep.prefix_len, 24);
	ck_assert_int_eq(cfg.vtep.local_ip6.family, 0);
	ck_assert_str_eq(cfg.vtep.uplink, "up0");
	ck_assert_uint_eq(cfg.vtep.udp_port, 4789);
	ck_assert_uint_eq(cfg.vtep.mtu, 1500);
	ck_assert_uint_eq(cfg.n_ports, 2);
	ck_assert_str_eq(cfg.ports[0].name, "up0");
	ck_assert_str_eq(cfg.ports[0].devargs, "0000:3b:00.0");
	ck_assert_int_eq(cfg.ports[0].role, VTEP_PORT_ROLE_UPLINK);
	ck_assert_int_eq(cfg.ports[0].mode, VTEP_PORT_MODE_ALL);
	ck_assert_uint_eq(cfg.ports[0].ofport, 1);
	ck_assert_uint_eq(cfg.ports[0].rxq, 1);
	ck_assert_uint_eq(cfg.ports[0].loc.line, 3);
	ck_assert_uint_eq(cfg.ports[0].loc.col, 12);
	ck_assert_str_eq(cfg.ports[1].name, "vm1");
	ck_assert_str_eq(cfg.ports[1].devargs, "net_vhost0,iface=/run/vtepsw/vm1.sock,client=1");
	ck_assert_uint_eq(cfg.ports[1].devargs_loc.line, 4);
	ck_assert_uint_eq(cfg.ports[1].devargs_loc.col, 39);
	ck_assert_int_eq(cfg.ports[1].role, VTEP_PORT_ROLE_NORMAL);
	ck_assert_int_eq(cfg.ports[1].mode, VTEP_PORT_MODE_ACCESS);
	ck_assert_uint_eq(cfg.ports[1].vlan, 100);
	ck_assert_uint_eq(cfg.ports[1].ofport, 2);
	ck_assert(!cfg.ports[1].has_mac);
	ck_assert_uint_eq(cfg.n_tunnels, 1);
	ck_assert_str_eq(cfg.tunnels[0].name, "h2");
	ck_assert_int_eq(cfg.tunnels[0].type, VTEP_TUNNEL_VXLAN);
	ck_assert(ip4_is(&cfg.tunnels[0].remote_ip, "10.0.0.2"));
	ck_assert_uint_eq(cfg.tunnels[0].udp_port, 0);
	ck_assert_uint_eq(cfg.tunnels[0].ofport, 3);
	ck_assert_uint_eq(cfg.n_segments, 1);
	ck_assert_uint_eq(cfg.segments[0].vlan, 100);
	ck_assert_uint_eq(cfg.segments[0].vni, 5000);
	ck_assert_uint_eq(cfg.segments[0].n_flood, 1);
	ck_assert_str_eq(cfg.segments[0].flood[0], "h2");
	ck_assert_int_eq(cfg.segments[0].mcast_group.family, 0);
	ck_assert_uint_eq(cfg.n_fdb, 0);
	ck_assert_int_eq(vtep_config_validate(&cfg, err), 0);
	vtep_config_clear(&cfg);
	ck_assert_uint_eq(cfg.n_ports, 0);
	ck_assert_ptr_null(cfg.ports);
}
END_TEST

START_TEST(test_defaults)
{
	struct vtep_config cfg, dflt;

	parse_ok("{}", &cfg);
	memset(&dflt, 0, sizeof(dflt));
	vtep_config_defaults(&dflt);
	ck_assert(vtep_config_equal(&cfg, &dflt));
	ck_assert_str_eq(cfg.bridge.name, "br0");
	ck_assert_uint_eq(cfg.bridge.datapath_id, 0);
	ck_assert_int_eq(cfg.bridge.fail_mode, VTEP_FAIL_STANDALONE);
	ck_assert_uint_eq(cfg.bridge.mac_aging_s, 300);
	ck_assert_uint_eq(cfg.vtep.prefix_len, 24);
	ck_assert_uint_eq(cfg.vtep.prefix_len6, 64);
	ck_assert_uint_eq(cfg.vtep.udp_port, 4789);
	ck_assert_uint_eq(cfg.vtep.mtu, 1500);
	ck_assert(!cfg.vtep.require_known_remote);
	ck_assert_uint_eq(cfg.vtep.stt_reasm_mem_kb, 4096);
	ck_assert_uint_eq(cfg.vtep.stt_reasm_timeout_ms, 1000);
	ck_assert_str_eq(cfg.path, "");
	ck_assert_uint_eq(cfg.n_ports + cfg.n_tunnels + cfg.n_segments + cfg.n_fdb, 0);
	vtep_config_clear(&cfg);
	vtep_config_clear(NULL);

	/* empty sections and arrays are the same as absent ones */
	parse_ok("{\"bridge\": {}, \"vtep\": {}, \"ports\": [], \"tunnels\": [], "
		 "\"segments\": [], \"fdb\": []}", &cfg);
	ck_assert(vtep_config_equal(&cfg, &dflt));
	vtep_config_clear(&cfg);

	/* datapath_id forms; a port's defaults */
	parse_ok("{\"bridge\": {\"datapath_id\": \"1234\"}, \"ports\": [{\"name\": \"p\", "
		 "\"devargs\": \"net_null0\"}]}", &cfg);
	ck_assert_uint_eq(cfg.bridge.datapath_id, 1234);
	ck_assert_uint_eq(cfg.ports[0].rxq, 1);
	ck_assert_uint_eq(cfg.ports[0].mtu, 0);
	ck_assert_int_eq(cfg.ports[0].mode, VTEP_PORT_MODE_ALL);
	vtep_config_clear(&cfg);
	parse_ok("{\"bridge\": {\"datapath_id\": 77}}", &cfg);
	ck_assert_uint_eq(cfg.bridge.datapath_id, 77);
	vtep_config_clear(&cfg);
	parse_ok("{\"bridge\": {\"datapath_id\": \"0xFFFFFFFFFFFFFFFF\"}}", &cfg);
	ck_assert_uint_eq(cfg.bridge.datapath_id, UINT64_MAX);
	vtep_config_clear(&cfg);
	parse_ok("{\"bridge\": {\"datapath_id\": \"18446744073709551615\"}}", &cfg);
	ck_assert_uint_eq(cfg.bridge.datapath_id, UINT64_MAX);
	vtep_config_clear(&cfg);
}
END_TEST

START_TEST(test_ofport_assign)
{
	struct vtep_config cfg;

	parse_ok("{" BASE_VTEP ", \"ports\": ["
		 "{\"name\": \"a\", \"devargs\": \"x\"},"
		 "{\"name\": \"b\", \"devargs\": \"x\", \"ofport\": 1},"
		 "{\"name\": \"c\", \"devargs\": \"x\"}],"
		 "\"tunnels\": ["
		 "{\"name\": \"t1\", \"type\": \"vxlan\", \"remote_ip\": \"10.0.0.2\"},"
		 "{\"name\": \"t2\", \"type\": \"stt\", \"remote_ip\": \"10.0.0.3\", "
		 "\"ofport\": 3},"
		 "{\"name\": \"t3\", \"type\": \"nvgre\", \"remote_ip\": \"10.0.0.4\"}]}", &cfg);
	ck_assert_uint_eq(cfg.ports[0].ofport, 2);
	ck_assert_uint_eq(cfg.ports[1].ofport, 1);
	ck_assert_uint_eq(cfg.ports[2].ofport, 4);
	ck_assert_uint_eq(cfg.tunnels[0].ofport, 5);
	ck_assert_uint_eq(cfg.tunnels[1].ofport, 3);
	ck_assert_uint_eq(cfg.tunnels[2].ofport, 6);

	/* a run-time addition with ofport 0 gets the lowest free number */
	cfg.ports[1].ofport = 0;
	ck_assert_int_eq(vtep_config_assign_ofports(&cfg), 0);
	ck_assert_uint_eq(cfg.ports[1].ofport, 1);
	vtep_config_clear(&cfg);
}
END_TEST

/* Load the rich sample. */
static void
load_rich(struct vtep_config *cfg)
{
	char err[VTEP_CONFIG_ERR_MAX], path[512];
	int rc;

	rc = vtep_config_load(data_file("rich.json", path, sizeof(path)), cfg, err);
	ck_assert_msg(rc == 0, "%s", err);
}

START_TEST(test_rich_fields)
{
	struct vtep_config cfg;
	struct vtep_ip ip;

	load_rich(&cfg);
	ck_assert_str_eq(cfg.bridge.name, "br-tun");
	ck_assert_uint_eq(cfg.bridge.datapath_id, 0xab);
	ck_assert_int_eq(cfg.bridge.fail_mode, VTEP_FAIL_SECURE);
	ck_assert_uint_eq(cfg.bridge.n_controllers, 2);
	ck_assert_str_eq(cfg.bridge.controllers[1], "ssl:[2001:db8::10]:6653");
	ck_assert_uint_eq(cfg.bridge.n_listen, 2);
	ck_assert_uint_eq(cfg.bridge.mac_aging_s, 600);
	ck_assert_uint_eq(cfg.vtep.prefix_len, 16);
	ck_assert_uint_eq(cfg.vtep.prefix_len6, 48);
	ck_assert_int_eq(cfg.vtep.local_ip6.family, AF_INET6);
	ck_assert(ip4_is(&cfg.vtep.gateway, "10.0.0.254"));
	ck_assert_uint_eq(cfg.vtep.udp_port, 8472);
	ck_assert_uint_eq(cfg.vtep.mtu, 9000);
	ck_assert(cfg.vtep.require_known_remote);
	ck_assert_uint_eq(cfg.vtep.stt_reasm_mem_kb, 8192);
	ck_assert_uint_eq(cfg.vtep.stt_reasm_timeout_ms, 500);
	ck_assert_uint_eq(cfg.vtep.n_neighbours, 2);
	ck_assert_uint_eq(cfg.vtep.neighbours[1].mac[5], 3);
	ck_assert(cfg.ports[0].has_mac);
	ck_assert_uint_eq(cfg.ports[0].mac[1], 0xaa);
	ck_assert_uint_eq(cfg.ports[0].rxq, 4);
	ck_assert_uint_eq(cfg.ports[0].mtu, 9000);
	ck_assert_int_eq(cfg.ports[2].mode, VTEP_PORT_MODE_TRUNK);
	ck_assert(vtep_cfg_trunk_has(cfg.ports[2].trunks, 1));
	ck_assert(vtep_cfg_trunk_has(cfg.ports[2].trunks, 4094));
	ck_assert(!vtep_cfg_trunk_has(cfg.ports[2].trunks, 101));
	/* ofports: explicit 10 and 20; the rest from 1 */
	ck_assert_uint_eq(cfg.ports[0].ofport, 1);
	ck_assert_uint_eq(cfg.ports[1].ofport, 10);
	ck_assert_uint_eq(cfg.ports[2].ofport, 2);
	ck_assert_uint_eq(cfg.ports[3].ofport, 3);
	ck_assert_uint_eq(cfg.tunnels[0].ofport, 4);
	ck_assert_uint_eq(cfg.tunnels[1].ofport, 20);
	ck_assert_uint_eq(cfg.tunnels[2].ofport, 5);
	ck_assert_uint_eq(cfg.tunnels[0].udp_port, 4790);
	ck_assert_int_eq(cfg.tunnels[2].type, VTEP_TUNNEL_STT);
	ck_assert_int_eq(vtep_ip_parse("2001:db8:1::4", &ip), 0);
	ck_assert_mem_eq(&cfg.tunnels[2].remote_ip.v6, &ip.v6, 16);
	ck_assert_uint_eq(cfg.segments[1].vni, 16777215);
	ck_assert(ip4_is(&cfg.segments[1].mcast_group, "239.1.1.1"));
	ck_assert_int_eq(cfg.segments[2].mcast_group.family, AF_INET6);
	ck_assert_uint_eq(cfg.n_fdb, 3);
	ck_assert(cfg.fdb[1].target_is_tunnel);
	ck_assert_str_eq(cfg.fdb[2].target, "trunk0");
	vtep_config_clear(&cfg);
}
END_TEST

START_TEST(test_roundtrip)
{
	char err[VTEP_CONFIG_ERR_MAX], *text, *text2;
	struct vtep_config cfg, back;

	load_rich(&cfg);
	ck_assert_int_eq(vtep_config_to_json(&cfg, &text), 0);
	ck_assert_msg(vtep_config_parse(text, strlen(text), "out.json", &back, err) == 0, "%s\n%s",
		      err, text);
	ck_assert(vtep_config_equal(&cfg, &back));
	/* canonical: writing again gives the same text */
	ck_assert_int_eq(vtep_config_to_json(&back, &text2), 0);
	ck_assert_str_eq(text, text2);
	/* trunks are written sorted, defaults are left out */
	ck_assert_ptr_nonnull(strstr(text, "\"trunks\": [\n        1,\n        100,"));
	ck_assert_ptr_null(strstr(text, "\"normal\""));
	ck_assert_ptr_nonnull(strstr(text, "\"local_ip\": \"10.0.0.1/16\""));
	ck_assert_ptr_nonnull(strstr(text, "\"datapath_id\": \"0xab\""));
	free(text);
	free(text2);

	/* equal() notices a difference */
	back.ports[2].trunks[0] ^= 4;
	ck_assert(!vtep_config_equal(&cfg, &back));
	vtep_config_clear(&back);
	vtep_config_clear(&cfg);
}
END_TEST

START_TEST(test_canonical_example)
{
	static const char want[] =
		"{\n"
		"  \"bridge\": {\n"
		"    \"datapath_id\": \"0x1\"\n"
		"  },\n"
		"  \"vtep\": {\n"
		"    \"local_ip\": \"10.0.0.1\",\n"
		"    \"uplink\": \"up0\"\n"
		"  },\n"
		"  \"ports\": [\n"
		"    {\n"
		"      \"name\": \"up0\",\n"
		"      \"devargs\": \"0000:3b:00.0\",\n"
		"      \"ofport\": 1,\n"
		"      \"role\": \"uplink\"\n"
		"    },\n"
		"    {\n"
		"      \"name\": \"vm1\",\n"
		"      \"devargs\": \"net_vhost0,iface=/run/vtepsw/vm1.sock,client=1\",\n"
		"      \"ofport\": 2,\n"
		"      \"vlan\": 100\n"
		"    }\n"
		"  ],\n"
		"  \"tunnels\": [\n"
		"    {\n"
		"      \"name\": \"h2\",\n"
		"      \"type\": \"vxlan\",\n"
		"      \"remote_ip\": \"10.0.0.2\",\n"
		"      \"ofport\": 3\n"
		"    }\n"
		"  ],\n"
		"  \"segments\": [\n"
		"    {\n"
		"      \"vlan\": 100,\n"
		"      \"vni\": 5000,\n"
		"      \"flood\": [\n"
		"        \"h2\"\n"
		"      ]\n"
		"    }\n"
		"  ]\n"
		"}\n";
	char err[VTEP_CONFIG_ERR_MAX], path[512], *text;
	struct vtep_config cfg;

	ck_assert_int_eq(vtep_config_load(data_file("design-example.json", path, sizeof(path)),
					  &cfg, err), 0);
	ck_assert_int_eq(vtep_config_to_json(&cfg, &text), 0);
	ck_assert_str_eq(text, want);
	free(text);
	vtep_config_clear(&cfg);

	/* an all-default config is an empty object */
	parse_ok("{}", &cfg);
	ck_assert_int_eq(vtep_config_to_json(&cfg, &text), 0);
	ck_assert_str_eq(text, "{}\n");
	free(text);
	vtep_config_clear(&cfg);
}
END_TEST

START_TEST(test_copy)
{
	struct vtep_config cfg, dup;

	load_rich(&cfg);
	memset(&dup, 0x5a, sizeof(dup));
	ck_assert_int_eq(vtep_config_copy(&dup, &cfg), 0);
	ck_assert(vtep_config_equal(&cfg, &dup));
	ck_assert_ptr_ne(dup.ports, cfg.ports);
	ck_assert_ptr_ne(dup.segments[0].flood, cfg.segments[0].flood);
	ck_assert_ptr_ne(dup.bridge.controllers[0], cfg.bridge.controllers[0]);
	vtep_config_clear(&cfg);
	/* the copy stands on its own */
	ck_assert_str_eq(dup.segments[0].flood[1], "h3");
	vtep_config_clear(&dup);
}
END_TEST

/* Files in @p dir other than "." and "..". */
static int
count_files(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* Read a whole file into a malloc'ed string. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

START_TEST(test_save)
{
	char dir[] = "/tmp/vtep_cfg_test.XXXXXX", path[100], bad[100], want[400];
	char err[VTEP_CONFIG_ERR_MAX], *text, *disk;
	struct vtep_config cfg, back;
	struct stat st;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vtepsw.json", dir);
	/* an older file with restrictive permissions is replaced, permissions kept */
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"bridge\": {\"name\": \"old\"}}\n", f);
	fclose(f);
	ck_assert_int_eq(chmod(path, 0600), 0);

	load_rich(&cfg);
	ck_assert_msg(vtep_config_save(&cfg, path, err) == 0, "%s", err);
	ck_assert_int_eq(vtep_config_to_json(&cfg, &text), 0);
	disk = slurp(path);
	ck_assert_str_eq(disk, text);
	ck_assert_int_eq(count_files(dir), 1);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_msg(vtep_config_load(path, &back, err) == 0, "%s", err);
	ck_assert(vtep_config_equal(&cfg, &back));
	ck_assert_str_eq(back.path, path);
	vtep_config_clear(&back);

	/* a missing directory fails cleanly and names the file */
	snprintf(bad, sizeof(bad), "%s/nodir/vtepsw.json", dir);
	ck_assert_int_eq(vtep_config_save(&cfg, bad, err), -ENOENT);
	snprintf(want, sizeof(want), "%s: cannot create temporary file: %s", bad,
		 strerror(ENOENT));
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(count_files(dir), 1);

	snprintf(path, sizeof(path), "%s/vtepsw.json", dir);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
	free(text);
	free(disk);
	vtep_config_clear(&cfg);
}
END_TEST

START_TEST(test_load_errors)
{
	char err[VTEP_CONFIG_ERR_MAX], path[512], want[700];
	struct vtep_config cfg;

	ck_assert_int_eq(vtep_config_load("/nonexistent/vtepsw.json", &cfg, err), -ENOENT);
	ck_assert_str_eq(err, "/nonexistent/vtepsw.json: cannot open: No such file or directory");

	/* the example of the header: line 7, column 15 */
	data_file("bad-vlan.json", path, sizeof(path));
	ck_assert_int_eq(vtep_config_load(path, &cfg, err), -EINVAL);
	snprintf(want, sizeof(want), "%s:7:15: ports[1].vlan: VLAN ID 5000 is outside 1..4094",
		 path);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_validate)
{
	char err[VTEP_CONFIG_ERR_MAX];
	struct vtep_config cfg;

	load_rich(&cfg);
	snprintf(cfg.path, sizeof(cfg.path), "%s", "/etc/vtepsw.json");
	ck_assert_int_eq(vtep_config_validate(&cfg, err), 0);
	/* a run-time edit: positions come from the stored object locations */
	snprintf(cfg.tunnels[2].name, VTEP_NAME_MAX, "%s", "vm1");
	ck_assert_int_eq(vtep_config_validate(&cfg, err), -EINVAL);
	ck_assert_str_eq(err, "/etc/vtepsw.json:36:3: tunnels[2].name: "
			 "name \"vm1\" is already used by ports[1]");
	snprintf(cfg.tunnels[2].name, VTEP_NAME_MAX, "%s", "h4");
	cfg.segments[2].vlan = 4095;
	cfg.segments[2].loc.line = 0; /* built in code: no position */
	ck_assert_int_eq(vtep_config_validate(&cfg, err), -EINVAL);
	ck_assert_str_eq(err,
			 "/etc/vtepsw.json: segments[2].vlan: VLAN ID 4095 is outside 1..4094");
	cfg.segments[2].vlan = 300;
	cfg.ports[3].role = VTEP_PORT_ROLE_UPLINK;
	ck_assert_int_eq(vtep_config_validate(&cfg, err), -EINVAL);
	ck_assert_str_eq(err, "/etc/vtepsw.json:31:3: ports[3].role: "
			 "only one port may have role \"uplink\" (ports[0] has it)");
	vtep_config_clear(&cfg);
}
END_TEST

START_TEST(test_literals)
{
	struct vtep_of_target t;
	struct vtep_ip ip;
	char buf[INET6_ADDRSTRLEN];
	uint8_t mac[6];

	ck_assert_int_eq(vtep_mac_parse("02:aB:00:ff:10:01", mac), 0);
	ck_assert_uint_eq(mac[1], 0xab);
	ck_assert_int_eq(vtep_mac_parse("02:ab:00:ff:10", mac), -EINVAL);
	ck_assert_int_eq(vtep_mac_parse("02-ab-00-ff-10-01", mac), -EINVAL);
	ck_assert_int_eq(vtep_mac_parse("02:ab:00:ff:10:0g", mac), -EINVAL);
	ck_assert_int_eq(vtep_ip_parse("10.1.2.3", &ip), 0);
	ck_assert_int_eq(ip.family, AF_INET);
	ck_assert_str_eq(vtep_ip_format(&ip, buf, sizeof(buf)), "10.1.2.3");
	ck_assert_int_eq(vtep_ip_parse("2001:DB8::1", &ip), 0);
	ck_assert_str_eq(vtep_ip_format(&ip, buf, sizeof(buf)), "2001:db8::1");
	ck_assert_int_eq(vtep_ip_parse("10.1.2", &ip), -EINVAL);
	ck_assert_str_eq(vtep_tunnel_type_name(VTEP_TUNNEL_NVGRE), "nvgre");

	ck_assert_int_eq(vtep_of_target_parse("tcp:192.0.2.1:6653", &t), 0);
	ck_assert(!t.passive && !t.ssl && t.port == 6653 && t.ip.family == AF_INET);
	ck_assert_int_eq(vtep_of_target_parse("ssl:[::1]:6653", &t), 0);
	ck_assert(t.ssl && t.ip.family == AF_INET6);
	ck_assert_int_eq(vtep_of_target_parse("ptcp:6653", &t), 0);
	ck_assert(t.passive && t.ip.family == 0 && t.port == 6653);
	ck_assert_int_eq(vtep_of_target_parse("pssl:0:[::1]", &t), 0);
	ck_assert(t.passive && t.ssl && t.port == 0 && t.ip.family == AF_INET6);
	ck_assert_int_eq(vtep_of_target_parse("ptcp:6653:::1", &t), 0);
	ck_assert_int_eq(vtep_of_target_parse("ptcp:6653:127.0.0.1", &t), 0);
	ck_assert_int_eq(vtep_of_target_parse("tcp:::1:6653", &t), -EINVAL);
	ck_assert_int_eq(vtep_of_target_parse("tcp:1.2.3.4", &t), -EINVAL);
	ck_assert_int_eq(vtep_of_target_parse("tcp:1.2.3.4:0", &t), -EINVAL);
	ck_assert_int_eq(vtep_of_target_parse("tcp:1.2.3.4:65536", &t), -EINVAL);
	ck_assert_int_eq(vtep_of_target_parse("tcp:host:6653", &t), -EINVAL);
	ck_assert_int_eq(vtep_of_target_parse("udp:1.2.3.4:6653", &t), -EINVAL);
	ck_assert_int_eq(vtep_of_target_parse("ptcp:", &t), -EINVAL);
	ck_assert_int_eq(vtep_of_target_parse("ptcp:+1", &t), -EINVAL);
}
END_TEST

/*
 * Every prefix and many one-byte mutations of a valid file: an error or a config, never a
 * crash (ASan build), and a rejection is always one "FILE:..." line.
 */
START_TEST(test_robust)
{
	static const char subst[] = "{}[]\",:0a \n\\";
	char err[VTEP_CONFIG_ERR_MAX], path[512], *text;
	struct vtep_config cfg;
	size_t len, i, k;
	int rc;

	ck_assert_int_eq(vtep_config_load(data_file("rich.json", path, sizeof(path)), &cfg, err),
			 0);
	ck_assert_int_eq(vtep_config_to_json(&cfg, &text), 0);
	vtep_config_clear(&cfg);
	len = strlen(text);
	for (i = 0; i + 1 < len; i++) { /* text[len - 1] is the final newline */
		rc = vtep_config_parse(text, i, "cut.json", &cfg, err);
		ck_assert_msg(rc == -EINVAL, "prefix %zu parsed", i);
		ck_assert(strncmp(err, "cut.json:", 9) == 0 && strchr(err, '\n') == NULL);
	}
	for (i = 0; i < len; i += 3) {
		char saved = text[i];

		for (k = 0; k < sizeof(subst) - 1; k++) {
			text[i] = subst[k];
			rc = vtep_config_parse(text, len, "mut.json", &cfg, err);
			if (rc == 0)
				vtep_config_clear(&cfg);
			else
				ck_assert(strncmp(err, "mut.json:", 9) == 0 &&
					  strchr(err, '\n') == NULL);
		}
		text[i] = saved;
	}
	free(text);
}
END_TEST

START_TEST(test_long_and_deep)
{
	char err[VTEP_CONFIG_ERR_MAX], *json;
	struct vtep_config cfg;
	size_t n = 5000, i, len;

	/*
	 * A 5000-character unknown key: the path is cut short, so it finds no position of its
	 * own and the message points at the enclosing object.
	 */
	json = malloc(n + 64);
	ck_assert_ptr_nonnull(json);
	len = (size_t)sprintf(json, "{\"bridge\": {\"");
	memset(json + len, 'k', n);
	len += n;
	strcpy(json + len, "\": 1}}");
	ck_assert_int_eq(vtep_config_parse(json, strlen(json), "cfg.json", &cfg, err), -EINVAL);
	ck_assert(strncmp(err, "cfg.json:1:12: bridge.kkkk", 26) == 0);
	ck_assert_ptr_nonnull(strstr(err, "k: unknown key"));

	/* nesting deeper than the position index goes */
	len = (size_t)sprintf(json, "{\"ports\": [{\"name\": \"p\", \"devargs\": \"x\", \"vlan\": ");
	for (i = 0; i < 100; i++)
		json[len++] = '[';
	for (i = 0; i < 100; i++)
		json[len++] = ']';
	strcpy(json + len, "}]}");
	ck_assert_int_eq(vtep_config_parse(json, strlen(json), "cfg.json", &cfg, err), -EINVAL);
	ck_assert_str_eq(err, "cfg.json:1:50: ports[0].vlan: expected an integer");
	free(json);
}
END_TEST

/* ---- rejected configs ---- */

#define PORT_P "{\"name\": \"p\", \"devargs\": \"x\"}"
#define FDB_BASE "{" BASE_VTEP \
	", \"ports\": [{\"name\": \"vm1\", \"devargs\": \"x\", \"vlan\": 100}]," \
	" \"tunnels\": [{\"name\": \"h2\", \"type\": \"vxlan\", \"remote_ip\": \"10.0.0.2\"}],\n" \
	" \"segments\": [{\"vlan\": 100, \"vni\": 5000}],\n"

/* One rejected config and its exact message; each is its own Check test. */
struct err_case {
	const char *name;
	const char *json;
	const char *want;
};

static const struct err_case err_cases[] = {
	{ "empty/0",
	  "",
	  "cfg.json:1:1: syntax error: the file is empty" },
	{ "empty/1",
	  "  \n\t\n",
	  "cfg.json:1:1: syntax error: the file is empty" },
	{ "syntax/0",
	  "{\n  \"bridge\": {\"name\": \"br0\",}\n}",
	  "cfg.json:2:28: syntax error: string or '}' expected near '}'" },
	{ "syntax/1",
	  "{\"ports\": [\n  {\"name\": \"a\" \"devargs\": \"x\"}]}",
	  "cfg.json:2:24: syntax error: '}' expected near '\"devargs\"'" },
	{ "syntax/2",
	  "{\"bridge\": {}, \"bridge\": {}}",
	  "cfg.json:1:23: syntax error: duplicate object key near '\"bridge\"'" },
	{ "syntax/3",
	  "{\"vtep\": {\"mtu\": 1500}} x",
	  "cfg.json:1:25: syntax error: end of file expected near 'x'" },
	{ "top_level/0",
	  "[]",
	  "cfg.json:1:1: (top level): expected an object" },
	{ "top_level/1",
	  "\"br0\"",
	  "cfg.json:1:5: syntax error: '[' or '{' expected near '\"br0\"'" },
	{ "top_level/2",
	  "[{}]",
	  "cfg.json:1:1: (top level): expected an object" },
	{ "unknown_keys/0",
	  "{\"bridges\": {}}",
	  "cfg.json:1:2: bridges: unknown key" },
	{ "unknown_keys/1",
	  "{\"bridge\": {\"nmae\": \"x\"}}",
	  "cfg.json:1:13: bridge.nmae: unknown key" },
	{ "unknown_keys/2",
	  "{\"vtep\": {\"local_ip\": \"10.0.0.1\", \"mtuu\": 1}}",
	  "cfg.json:1:35: vtep.mtuu: unknown key" },
	{ "unknown_keys/3",
	  "{\"vtep\": {\"neighbours\": [{\"ip\": \"10.0.0.2\", \"mca\": \"x\"}]}}",
	  "cfg.json:1:45: vtep.neighbours[0].mca: unknown key" },
	{ "unknown_keys/4",
	  "{\"ports\": [{\"name\": \"p\", \"devargs\": \"x\"},\n"
	  "           {\"name\": \"q\", \"devargs\": \"x\", \"vlans\": [1]}]}",
	  "cfg.json:2:42: ports[1].vlans: unknown key" },
	{ "unknown_keys/5",
	  "{\"tunnels\": [{\"name\": \"t\", \"key\": 5}]}",
	  "cfg.json:1:28: tunnels[0].key: unknown key" },
	{ "unknown_keys/6",
	  "{\"segments\": [{\"vlan\": 1, \"vni\": 1, \"vtep\": 1}]}",
	  "cfg.json:1:37: segments[0].vtep: unknown key" },
	{ "unknown_keys/7",
	  "{\"fdb\": [{\"vlan\": 1, \"mac\": \"02:00:00:00:00:01\", \"ip\": 1}]}",
	  "cfg.json:1:50: fdb[0].ip: unknown key" },
	/* a key with a control character still gives one line; columns count characters */
	{ "unknown_keys/8",
	  "{\"a\\nb\": 1}",
	  "cfg.json:1:2: a?b: unknown key" },
	{ "unknown_keys/9",
	  "{\"bridge\": {\"name\": \"br0\"}, \"\xc3\xa9t\xc3\xa9\": 1, \"x\": 2}",
	  "cfg.json:1:29: \xc3\xa9t\xc3\xa9: unknown key" },
	{ "unknown_keys/10",
	  "{\"vtep\": {\"uplink\": \"\xc3\xa9\xc3\xa9\", \"x\": 2}}",
	  "cfg.json:1:27: vtep.x: unknown key" },
	{ "types/0",
	  "{\"bridge\": []}",
	  "cfg.json:1:12: bridge: expected an object" },
	{ "types/1",
	  "{\"bridge\": {\"name\": 5}}",
	  "cfg.json:1:21: bridge.name: expected a string" },
	{ "types/2",
	  "{\"bridge\": {\"mac_aging_s\": \"300\"}}",
	  "cfg.json:1:28: bridge.mac_aging_s: expected an integer" },
	{ "types/3",
	  "{\"bridge\": {\"mac_aging_s\": 300.0}}",
	  "cfg.json:1:28: bridge.mac_aging_s: expected an integer" },
	{ "types/4",
	  "{\"bridge\": {\"datapath_id\": true}}",
	  "cfg.json:1:28: bridge.datapath_id: expected a string or an integer" },
	{ "types/5",
	  "{\"bridge\": {\"controllers\": \"tcp:1.2.3.4:6653\"}}",
	  "cfg.json:1:28: bridge.controllers: expected an array" },
	{ "types/6",
	  "{\"bridge\": {\"controllers\": [5]}}",
	  "cfg.json:1:29: bridge.controllers[0]: expected a string" },
	{ "types/7",
	  "{\"vtep\": {\"require_known_remote\": \"yes\"}}",
	  "cfg.json:1:35: vtep.require_known_remote: expected true or false" },
	{ "types/8",
	  "{\"vtep\": {\"neighbours\": [\"10.0.0.2\"]}}",
	  "cfg.json:1:26: vtep.neighbours[0]: expected an object" },
	{ "types/9",
	  "{\"ports\": {}}",
	  "cfg.json:1:11: ports: expected an array" },
	{ "types/10",
	  "{\"ports\": [\"vm1\"]}",
	  "cfg.json:1:12: ports[0]: expected an object" },
	{ "types/11",
	  "{\"ports\": [{\"name\": \"p\", \"devargs\": \"x\", \"vlan\": \"100\"}]}",
	  "cfg.json:1:50: ports[0].vlan: expected an integer" },
	{ "types/12",
	  "{\"ports\": [{\"name\": \"p\", \"devargs\": \"x\", \"trunks\": [1, null]}]}",
	  "cfg.json:1:56: ports[0].trunks[1]: expected an integer" },
	{ "types/13",
	  "{\"tunnels\": [{\"name\": \"t\", \"type\": 1}]}",
	  "cfg.json:1:36: tunnels[0].type: expected a string" },
	{ "types/14",
	  "{\"segments\": [{\"vlan\": 1, \"vni\": 1, \"flood\": [1]}]}",
	  "cfg.json:1:47: segments[0].flood[0]: expected a string" },
	{ "types/15",
	  "{\"fdb\": [{\"vlan\": 1, \"mac\": \"02:00:00:00:00:01\", \"port\": false}]}",
	  "cfg.json:1:58: fdb[0].port: expected a string" },
	{ "vlan_range/0",
	  "{\"ports\": [{\"name\": \"p\", \"devargs\": \"x\", \"vlan\": 0}]}",
	  "cfg.json:1:50: ports[0].vlan: VLAN ID 0 is outside 1..4094" },
	{ "vlan_range/1",
	  "{\"ports\": [{\"name\": \"p\", \"devargs\": \"x\", \"vlan\": 4095}]}",
	  "cfg.json:1:50: ports[0].vlan: VLAN ID 4095 is outside 1..4094" },
	{ "vlan_range/2",
	  "{\"ports\": [{\"name\": \"p\", \"devargs\": \"x\", \"trunks\": [10, 5000]}]}",
	  "cfg.json:1:57: ports[0].trunks[1]: VLAN ID 5000 is outside 1..4094" },
	{ "vlan_range/3",
	  "{\"segments\": [{\"vlan\": -1, \"vni\": 1}]}",
	  "cfg.json:1:24: segments[0].vlan: VLAN ID -1 is outside 1..4094" },
	{ "vlan_range/4",
	  "{\"fdb\": [{\"vlan\": 99999999999, \"mac\": \"02:00:00:00:00:01\"}]}",
	  "cfg.json:1:19: fdb[0].vlan: VLAN ID 99999999999 is outside 1..4094" },
	{ "vni/0",
	  "{\"segments\": [{\"vlan\": 1, \"vni\": 0}]}",
	  "cfg.json:1:34: segments[0].vni: VNI 0 is outside 1..16777215" },
	{ "vni/1",
	  "{\"segments\": [{\"vlan\": 1, \"vni\": 16777216}]}",
	  "cfg.json:1:34: segments[0].vni: VNI 16777216 is outside 1..16777215" },
	{ "vni/2",
	  "{\"segments\": [{\"vlan\": 1, \"vni\": 7},\n {\"vlan\": 2, \"vni\": 7}]}",
	  "cfg.json:2:21: segments[1].vni: VNI 7 is already used by segments[0]" },
	{ "vni/3",
	  "{\"segments\": [{\"vlan\": 1, \"vni\": 7},\n {\"vlan\": 1, \"vni\": 8}]}",
	  "cfg.json:2:11: segments[1].vlan: VLAN 1 already has a segment (segments[0])" },
	{ "other_ranges/0",
	  "{\"bridge\": {\"mac_aging_s\": 5}}",
	  "cfg.json:1:28: bridge.mac_aging_s: MAC aging time 5 is outside 10..1000000" },
	{ "other_ranges/1",
	  "{\"vtep\": {\"udp_port\": 65536}}",
	  "cfg.json:1:23: vtep.udp_port: UDP port 65536 is outside 1..65535" },
	{ "other_ranges/2",
	  "{\"vtep\": {\"mtu\": 575}}",
	  "cfg.json:1:18: vtep.mtu: MTU 575 is outside 576..9216" },
	{ "other_ranges/3",
	  "{\"vtep\": {\"stt_reassembly_kb\": 1}}",
	  "cfg.json:1:32: vtep.stt_reassembly_kb: STT reassembly memory (KiB) 1 is outside "
	  "64..1048576" },
	{ "other_ranges/4",
	  "{\"ports\": [{\"name\": \"p\", \"devargs\": \"x\", \"rx_queues\": 17}]}",
	  "cfg.json:1:55: ports[0].rx_queues: rx queue count 17 is outside 1..16" },
	{ "other_ranges/5",
	  "{\"ports\": [{\"name\": \"p\", \"devargs\": \"x\", \"mtu\": 65536}]}",
	  "cfg.json:1:49: ports[0].mtu: MTU 65536 is outside 68..65535" },
	{ "other_ranges/6",
	  "{\"ports\": [{\"name\": \"p\", \"devargs\": \"x\", \"ofport\": 0}]}",
	  "cfg.json:1:52: ports[0].ofport: OpenFlow port 0 is outside 1..65279" },
	{ "other_ranges/7",
	  "{\"ports\": [{\"name\": \"p\", \"devargs\": \"x\", \"ofport\": 65280}]}",
	  "cfg.json:1:52: ports[0].ofport: OpenFlow port 65280 is outside 1..65279" },
	{ "names/0",
	  "{\"ports\": [" PORT_P ",\n          {\"name\": \"p\", \"devargs\": \"y\"}]}",
	  "cfg.json:2:20: ports[1].name: name \"p\" is already used by ports[0]" },
	{ "names/1",
	  "{" BASE_VTEP ", \"ports\": [" PORT_P "],\n"
	  " \"tunnels\": [{\"name\": \"p\", \"type\": \"vxlan\", \"remote_ip\": \"10.0.0.2\"}]}",
	  "cfg.json:2:23: tunnels[0].name: name \"p\" is already used by ports[0]" },
	{ "names/2",
	  "{" BASE_VTEP ", \"tunnels\": [\n"
	  "{\"name\": \"t\", \"type\": \"vxlan\", \"remote_ip\": \"10.0.0.2\"},\n"
	  "{\"name\": \"t\", \"type\": \"stt\", \"remote_ip\": \"10.0.0.3\"}]}",
	  "cfg.json:3:10: tunnels[1].name: name \"t\" is already used by tunnels[0]" },
	{ "names/3",
	  "{\"ports\": [{\"name\": \"a b\", \"devargs\": \"x\"}]}",
	  "cfg.json:1:21: ports[0].name: name \"a b\" may contain only letters, digits, "
	  "'_', '.' and '-'" },
	{ "names/4",
	  "{\"ports\": [{\"name\": \"\", \"devargs\": \"x\"}]}",
	  "cfg.json:1:21: ports[0].name: name \"\" must be 1..31 characters long" },
	{ "names/5",
	  "{\"bridge\": {\"name\": \"0123456789abcdef0123456789abcdef\"}}",
	  "cfg.json:1:21: bridge.name: name \"0123456789abcdef0123456789abcdef\" must be "
	  "1..31 characters long" },
	{ "names/6",
	  "{\"ports\": [{\"name\": \"p\", \"devargs\": \"x\", \"ofport\": 1},\n"
	  "{\"name\": \"q\", \"devargs\": \"y\", \"ofport\": 1}]}",
	  "cfg.json:2:41: ports[1].ofport: OpenFlow port 1 is already used by ports[0]" },
	{ "flood/0",
	  "{" BASE_VTEP ", \"tunnels\": [{\"name\": \"h2\", \"type\": \"vxlan\", "
	  "\"remote_ip\": \"10.0.0.2\"}],\n"
	  " \"segments\": [{\"vlan\": 100, \"vni\": 5000, \"flood\": [\"h2\", \"h3\"]}]}",
	  "cfg.json:2:58: segments[0].flood[1]: unknown tunnel \"h3\"" },
	{ "flood/1",
	  "{" BASE_VTEP ", \"tunnels\": [{\"name\": \"h2\", \"type\": \"vxlan\", "
	  "\"remote_ip\": \"10.0.0.2\"}],\n"
	  " \"segments\": [{\"vlan\": 100, \"vni\": 5000, \"flood\": [\"h2\", \"h2\"]}]}",
	  "cfg.json:2:58: segments[0].flood[1]: tunnel \"h2\" is listed twice" },
	{ "fdb/0",
	  FDB_BASE " \"fdb\": [{\"vlan\": 100, \"mac\": \"02:00:00:00:00:01\", "
	  "\"port\": \"vm2\"}]}",
	  "cfg.json:3:60: fdb[0].port: unknown port \"vm2\"" },
	{ "fdb/1",
	  FDB_BASE " \"fdb\": [{\"vlan\": 100, \"mac\": \"02:00:00:00:00:01\", "
	  "\"tunnel\": \"h9\"}]}",
	  "cfg.json:3:62: fdb[0].tunnel: unknown tunnel \"h9\"" },
	/* a port is not a tunnel */
	{ "fdb/2",
	  FDB_BASE " \"fdb\": [{\"vlan\": 100, \"mac\": \"02:00:00:00:00:01\", "
	  "\"tunnel\": \"vm1\"}]}",
	  "cfg.json:3:62: fdb[0].tunnel: unknown tunnel \"vm1\"" },
	{ "fdb/3",
	  FDB_BASE " \"fdb\": [{\"vlan\": 100, \"mac\": \"02:00:00:00:00:01\", "
	  "\"port\": \"vm1\", \"tunnel\": \"h2\"}]}",
	  "cfg.json:3:77: fdb[0].tunnel: an entry has either port or tunnel, not both" },
	{ "fdb/4",
	  FDB_BASE " \"fdb\": [{\"vlan\": 100, \"mac\": \"02:00:00:00:00:01\"}]}",
	  "cfg.json:3:10: fdb[0].port: required key missing (or give tunnel)" },
	{ "fdb/5",
	  FDB_BASE " \"fdb\": [{\"vlan\": 100, \"mac\": \"02:00:00:00:00:01\", "
	  "\"port\": \"vm1\"},\n{\"vlan\": 100, \"mac\": \"02:00:00:00:00:01\", "
	  "\"tunnel\": \"h2\"}]}",
	  "cfg.json:4:22: fdb[1].mac: VLAN 100 MAC 02:00:00:00:00:01 already has an entry "
	  "(fdb[0])" },
	{ "fdb/6",
	  FDB_BASE " \"fdb\": [{\"vlan\": 200, \"mac\": \"02:00:00:00:00:01\", "
	  "\"tunnel\": \"h2\"}]}",
	  "cfg.json:3:19: fdb[0].vlan: VLAN 200 has no segment, so tunnel \"h2\" cannot "
	  "carry it" },
	{ "fdb/7",
	  FDB_BASE " \"fdb\": [{\"vlan\": 200, \"mac\": \"02:00:00:00:00:01\", "
	  "\"port\": \"vm1\"}]}",
	  "cfg.json:3:19: fdb[0].vlan: port \"vm1\" does not carry VLAN 200" },
	{ "fdb/8",
	  FDB_BASE " \"fdb\": [{\"vlan\": 100, \"mac\": \"01:00:5e:00:00:01\", "
	  "\"port\": \"vm1\"}]}",
	  "cfg.json:3:31: fdb[0].mac: 01:00:5e:00:00:01 is not a unicast MAC address" },
	{ "uplink/0",
	  "{\"vtep\": {\"uplink\": \"up1\"},\n \"ports\": [" PORT_P "]}",
	  "cfg.json:1:21: vtep.uplink: unknown port \"up1\"" },
	{ "uplink/1",
	  "{\"vtep\": {\"uplink\": \"p\"},\n \"ports\": [" PORT_P "]}",
	  "cfg.json:1:21: vtep.uplink: port \"p\" (ports[0]) does not have role \"uplink\"" },
	{ "uplink/2",
	  "{\"ports\": [{\"name\": \"u\", \"devargs\": \"x\", \"role\": \"uplink\"},\n"
	  "{\"name\": \"v\", \"devargs\": \"y\", \"role\": \"uplink\"}]}",
	  "cfg.json:2:39: ports[1].role: only one port may have role \"uplink\" (ports[0] "
	  "has it)" },
	{ "uplink/3",
	  "{\"ports\": [{\"name\": \"u\", \"devargs\": \"x\", \"role\": \"uplink\", "
	  "\"vlan\": 5}]}",
	  "cfg.json:1:68: ports[0].vlan: a port with role \"uplink\" cannot have vlan or "
	  "trunks" },
	{ "uplink/4",
	  "{\"ports\": [{\"name\": \"u\", \"devargs\": \"x\", \"role\": \"up\"}]}",
	  "cfg.json:1:50: ports[0].role: \"up\" is not a port role (uplink or normal)" },
	{ "vlan_trunks/0",
	  "{\"ports\": [{\"name\": \"p\", \"devargs\": \"x\", \"vlan\": 5, \"trunks\": [6]}]}",
	  "cfg.json:1:63: ports[0].trunks: a port has either vlan or trunks, not both" },
	{ "vlan_trunks/1",
	  "{\"ports\": [{\"name\": \"p\", \"devargs\": \"x\", \"trunks\": []}]}",
	  "cfg.json:1:52: ports[0].trunks: trunks must list at least one VLAN" },
	{ "vlan_trunks/2",
	  "{\"ports\": [{\"name\": \"p\", \"devargs\": \"x\", \"trunks\": [7, 8, 7]}]}",
	  "cfg.json:1:59: ports[0].trunks[2]: VLAN 7 is listed twice" },
	{ "ip/0",
	  "{\"vtep\": {\"local_ip\": \"10.0.0.256\"}}",
	  "cfg.json:1:23: vtep.local_ip: \"10.0.0.256\" is not an IPv4 address (optionally "
	  "with /1..32)" },
	{ "ip/1",
	  "{\"vtep\": {\"local_ip\": \"10.0.0.1/33\"}}",
	  "cfg.json:1:23: vtep.local_ip: \"10.0.0.1/33\" is not an IPv4 address (optionally "
	  "with /1..32)" },
	{ "ip/2",
	  "{\"vtep\": {\"local_ip6\": \"10.0.0.1\"}}",
	  "cfg.json:1:24: vtep.local_ip6: \"10.0.0.1\" is not an IPv6 address (optionally "
	  "with /1..128)" },
	{ "ip/3",
	  "{\"vtep\": {\"local_ip\": \"224.0.0.5\"}}",
	  "cfg.json:1:23: vtep.local_ip: 224.0.0.5 is not a unicast address" },
	{ "ip/4",
	  "{\"vtep\": {\"gateway\": \"10.0.0.254\"}}",
	  "cfg.json:1:22: vtep.gateway: a gateway needs vtep.local_ip" },
	{ "ip/5",
	  "{\"vtep\": {\"gateway6\": \"10.0.0.254\"}}",
	  "cfg.json:1:23: vtep.gateway6: \"10.0.0.254\" is not an IPv6 address" },
	{ "ip/6",
	  "{\"vtep\": {\"neighbours\": [{\"ip\": \"10.0.0.2\", \"mac\": \"02:00:00:00:00:01\"},"
	  " {\"ip\": \"10.0.0.2\", \"mac\": \"02:00:00:00:00:02\"}]}}",
	  "cfg.json:1:81: vtep.neighbours[1].ip: 10.0.0.2 is already listed "
	  "(vtep.neighbours[0])" },
	{ "ip/7",
	  "{\"tunnels\": [{\"name\": \"t\", \"type\": \"vxlan\", \"remote_ip\": \"host2\"}]}",
	  "cfg.json:1:58: tunnels[0].remote_ip: \"host2\" is not an IPv4 or IPv6 address" },
	{ "ip/8",
	  "{" BASE_VTEP ", \"tunnels\": [{\"name\": \"t\", \"type\": \"vxlan\", "
	  "\"remote_ip\": \"239.0.0.1\"}]}",
	  "cfg.json:1:92: tunnels[0].remote_ip: 239.0.0.1 is not a unicast address" },
	{ "ip/9",
	  "{\"tunnels\": [{\"name\": \"t\", \"type\": \"vxlan\", \"remote_ip\": \"10.0.0.2\"}]}",
	  "cfg.json:1:58: tunnels[0].remote_ip: an IPv4 remote needs vtep.local_ip" },
	{ "ip/10",
	  "{" BASE_VTEP ", \"tunnels\": [{\"name\": \"t\", \"type\": \"stt\", "
	  "\"remote_ip\": \"2001:db8::2\"}]}",
	  "cfg.json:1:90: tunnels[0].remote_ip: an IPv6 remote needs vtep.local_ip6" },
	{ "ip/11",
	  "{" BASE_VTEP ", \"tunnels\": [{\"name\": \"t\", \"type\": \"gre\", "
	  "\"remote_ip\": \"10.0.0.2\"}]}",
	  "cfg.json:1:70: tunnels[0].type: \"gre\" is not a tunnel type (vxlan, nvgre or stt)" },
	{ "ip/12",
	  "{" BASE_VTEP ", \"tunnels\": [{\"name\": \"t\", \"type\": \"nvgre\", "
	  "\"remote_ip\": \"10.0.0.2\", \"udp_port\": 4789}]}",
	  "cfg.json:1:116: tunnels[0].udp_port: udp_port applies to vxlan tunnels only" },
	{ "ip/13",
	  "{" BASE_VTEP ", \"segments\": [{\"vlan\": 1, \"vni\": 1, "
	  "\"mcast_group\": \"10.0.0.9\"}]}",
	  "cfg.json:1:86: segments[0].mcast_group: 10.0.0.9 is not a multicast address" },
	{ "mac/0",
	  "{\"ports\": [{\"name\": \"p\", \"devargs\": \"x\", \"mac\": \"00:11:22:33:44\"}]}",
	  "cfg.json:1:49: ports[0].mac: \"00:11:22:33:44\" is not a MAC address "
	  "(aa:bb:cc:dd:ee:ff)" },
	{ "mac/1",
	  "{\"ports\": [{\"name\": \"p\", \"devargs\": \"x\", \"mac\": \"03:11:22:33:44:55\"}]}",
	  "cfg.json:1:49: ports[0].mac: 03:11:22:33:44:55 is not a unicast MAC address" },
	{ "mac/2",
	  "{\"ports\": [{\"name\": \"p\", \"devargs\": \"x\", \"mac\": \"00:00:00:00:00:00\"}]}",
	  "cfg.json:1:49: ports[0].mac: 00:00:00:00:00:00 is not a unicast MAC address" },
	{ "targets/0",
	  "{\"bridge\": {\"controllers\": [\"tcp:10.0.0.9:6653\", \"tcp:10.0.0.9\"]}}",
	  "cfg.json:1:50: bridge.controllers[1]: \"tcp:10.0.0.9\" is not a controller target "
	  "(tcp:IP:PORT or ssl:IP:PORT)" },
	{ "targets/1",
	  "{\"bridge\": {\"controllers\": [\"ptcp:6653\"]}}",
	  "cfg.json:1:29: bridge.controllers[0]: \"ptcp:6653\" is not a controller target "
	  "(tcp:IP:PORT or ssl:IP:PORT)" },
	{ "targets/2",
	  "{\"bridge\": {\"listen\": [\"ptcp:x\"]}}",
	  "cfg.json:1:24: bridge.listen[0]: \"ptcp:x\" is not a listen target "
	  "(ptcp:PORT[:IP] or pssl:PORT[:IP])" },
	{ "targets/3",
	  "{\"bridge\": {\"controllers\": [\"tcp:10.0.0.9:6653\", \"tcp:10.0.0.9:6653\"]}}",
	  "cfg.json:1:50: bridge.controllers[1]: controller \"tcp:10.0.0.9:6653\" is listed "
	  "twice" },
	{ "targets/4",
	  "{\"bridge\": {\"fail_mode\": \"open\"}}",
	  "cfg.json:1:26: bridge.fail_mode: \"open\" is not a fail mode (standalone or secure)" },
	{ "targets/5",
	  "{\"bridge\": {\"datapath_id\": \"0x\"}}",
	  "cfg.json:1:28: bridge.datapath_id: \"0x\" is not a datapath ID (\"0x\" and up to 16 "
	  "hex digits, or a decimal number)" },
	{ "targets/6",
	  "{\"bridge\": {\"datapath_id\": \"18446744073709551616\"}}",
	  "cfg.json:1:28: bridge.datapath_id: \"18446744073709551616\" is not a datapath ID "
	  "(\"0x\" and up to 16 hex digits, or a decimal number)" },
	{ "required/0",
	  "{\"ports\": [\n  {\"name\": \"p\"}]}",
	  "cfg.json:2:3: ports[0].devargs: required key missing" },
	{ "required/1",
	  "{\"ports\": [{\"devargs\": \"x\"}]}",
	  "cfg.json:1:12: ports[0].name: required key missing" },
	{ "required/2",
	  "{\"ports\": [{\"name\": \"p\", \"devargs\": \"\"}]}",
	  "cfg.json:1:37: ports[0].devargs: devargs must not be empty" },
	{ "required/3",
	  "{\"tunnels\": [{\"name\": \"t\", \"remote_ip\": \"10.0.0.2\"}]}",
	  "cfg.json:1:14: tunnels[0].type: required key missing" },
	{ "required/4",
	  "{\"tunnels\": [{\"name\": \"t\", \"type\": \"vxlan\"}]}",
	  "cfg.json:1:14: tunnels[0].remote_ip: required key missing" },
	{ "required/5",
	  "{\"segments\": [{\"vlan\": 1}]}",
	  "cfg.json:1:15: segments[0].vni: required key missing" },
	{ "required/6",
	  "{\"fdb\": [{\"vlan\": 1, \"port\": \"p\"}]}",
	  "cfg.json:1:10: fdb[0].mac: required key missing" },
	{ "required/7",
	  "{\"vtep\": {\"neighbours\": [{\"ip\": \"10.0.0.2\"}]}}",
	  "cfg.json:1:26: vtep.neighbours[0].mac: required key missing" },
};

START_TEST(test_err_case)
{
	const struct err_case *e = &err_cases[_i];
	char err[VTEP_CONFIG_ERR_MAX];
	struct vtep_config cfg;
	int rc;

	memset(&cfg, 0xa5, sizeof(cfg));
	rc = vtep_config_parse(e->json, strlen(e->json), "cfg.json", &cfg, err);
	ck_assert_msg(rc == -EINVAL, "%s: rc %d, expected -EINVAL", e->name, rc);
	ck_assert_msg(strcmp(err, e->want) == 0, "%s:\n got: %s\nwant: %s", e->name, err, e->want);
	ck_assert_msg(strchr(err, '\n') == NULL, "%s: message has a newline", e->name);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, test_design_example);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_ofport_assign);
	tcase_add_test(tc, test_rich_fields);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_canonical_example);
	tcase_add_test(tc, test_copy);
	tcase_add_test(tc, test_save);
	tcase_add_test(tc, test_load_errors);
	tcase_add_test(tc, test_validate);
	tcase_add_test(tc, test_literals);
	tcase_add_test(tc, test_robust);
	tcase_add_test(tc, test_long_and_deep);
	tcase_add_loop_test(tc, test_err_case, 0, (int)VTEP_ARRAY_SIZE(err_cases));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
