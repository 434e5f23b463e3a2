/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the JSON-RPC server: framing over partial reads, pipelined requests,
 * several clients, malformed and invalid requests, oversized requests, clients leaving in
 * the middle of a request, notifications, batches, responses larger than the socket
 * buffer, the client limit and stale socket files. No EAL: the server is plain sockets.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "vtep_mgmt.h"

static unsigned int calls;      /* handler invocations */
static char sock_path[108];

static int
m_echo(void *ctx, json_t *params, json_t **result, char err[VTEP_MGMT_ERR_MAX])
{
	(void)ctx;
	(void)err;
	calls++;
	*result = json_incref(params);
	return 0;
}

static int
m_fail(void *ctx, json_t *params, json_t **result, char err[VTEP_MGMT_ERR_MAX])
{
	(void)ctx;
	(void)params;
	(void)result;
	calls++;
	snprintf(err, VTEP_MGMT_ERR_MAX, "no port named 'x'");
	return VTEP_MGMT_E_NOT_FOUND;
}

/* Returns a string of params.size bytes. */
static int
m_big(void *ctx, json_t *params, json_t **result, char err[VTEP_MGMT_ERR_MAX])
{
	size_t n = (size_t)json_integer_value(json_object_get(params, "size"));
	char *s = malloc(n + 1);

	(void)ctx;
	(void)err;
	calls++;
	memset(s, 'x', n);
	s[n] = '\0';
	*result = json_string(s);
	free(s);
	return 0;
}

static const struct vtep_mgmt_method methods[] = {
	{ "echo", m_echo },
	{ "fail", m_fail },
	{ "big", m_big },
};

static struct vtep_mgmt *
mk_server(size_t max_request, unsigned int max_clients)
{
	static unsigned int seq;
	struct vtep_mgmt_params p = {
		.path = sock_path,
		.mode = 0600,
		.max_request = max_request,
		.max_clients = max_clients,
		.methods = methods,
		.n_methods = 3,
	};
	struct vtep_mgmt *m = NULL;
	char err[256];

	snprintf(sock_path, sizeof(sock_path), "/tmp/ckmgmt-%d-%u.sock", (int)getpid(), seq++);
	ck_assert_msg(vtep_mgmt_create(&p, &m, err, sizeof(err)) == 0, "%s", err);
	calls = 0;
	return m;
}

static int
connect_client(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void
send_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		ck_assert_int_gt(n, 0);
		s += n;
		len -= (size_t)n;
	}
}

/*
 * Poll the server until one response line (or EOF) arrives on @p fd.
 * @return the parsed line, or NULL on EOF.
 */
static json_t *
read_line(struct vtep_mgmt *m, int fd)
{
	static char buf[4 << 20];
	static size_t have;
	static int have_fd = -1;

	if (have_fd != fd)
		have = 0;
	have_fd = fd;
	for (int spin = 0; spin < 20000; spin++) {
		char *nl = memchr(buf, '\n', have);

		if (nl != NULL) {
			size_t len = (size_t)(nl - buf) + 1;
			json_t *j = json_loadb(buf, len - 1, 0, NULL);

			ck_assert_msg(j != NULL, "response is not JSON: %.*s", (int)len, buf);
			memmove(buf, buf + len, have - len);
			have -= len;
			return j;
		}
		vtep_mgmt_poll(m);
		{
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			ssize_t n;

			if (poll(&pfd, 1, 1) <= 0)
				continue;
			n = recv(fd, buf + have, sizeof(buf) - have, MSG_DONTWAIT);
			if (n == 0)
				return NULL;
			if (n > 0)
				have += (size_t)n;
		}
	}
	ck_abort_msg("no response from the server");
	return NULL;
}

/* True once the server has closed @p fd (polling the server meanwhile). */
static bool
closed_by_server(struct vtep_mgmt *m, int fd)
{
	for (int spin = 0; spin < 2000; spin++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		char c;

		vtep_mgmt_poll(m);
		if (poll(&pfd, 1, 1) > 0 && recv(fd, &c, 1, MSG_DONTWAIT) == 0)
			return true;
	}
	return false;
}

static int
err_code(json_t *resp)
{
	return (int)json_integer_value(json_object_get(json_object_get(resp, "error"), "code"));
}

static const char *
err_msg(json_t *resp)
{
	return json_string_value(json_object_get(json_object_get(resp, "error"), "message"));
}

START_TEST(t_basic)
{
	struct vtep_mgmt *m = mk_server(0, 0);
	int fd = connect_client();
	const char *req = "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":{\"a\":1},\"id\":7}";
	json_t *r;

	send_all(fd, req, strlen(req));
	r = read_line(m, fd);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(json_string_value(json_object_get(r, "jsonrpc")), "2.0");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 7);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "result"), "a")), 1);
	ck_assert_ptr_null(json_object_get(r, "error"));
	json_decref(r);
	/* an error from the handler is an error response with its code and message */
	req = "{\"jsonrpc\":\"2.0\",\"method\":\"fail\",\"id\":\"x\"}";
	send_all(fd, req, strlen(req));
	r = read_line(m, fd);
	ck_assert_int_eq(err_code(r), VTEP_MGMT_E_NOT_FOUND);
	ck_assert_str_eq(err_msg(r), "no port named 'x'");
	ck_assert_str_eq(json_string_value(json_object_get(r, "id")), "x");
	ck_assert_ptr_null(json_object_get(r, "result"));
	json_decref(r);
	close(fd);
	vtep_mgmt_free(m);
	ck_assert_int_ne(access(sock_path, F_OK), 0); /* the socket file is removed */
}
END_TEST

START_TEST(t_split_bytes)
{
	struct vtep_mgmt *m = mk_server(0, 0);
	int fd = connect_client();
	const char *req = "  {\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":"
			  "{\"s\":\"br}ace\\\"{\"},\"id\":1}";
	json_t *r;

	for (size_t i = 0; i < strlen(req); i++) {
		send_all(fd, req + i, 1);
		vtep_mgmt_poll(m);
		if (i + 1 < strlen(req))
			ck_assert_uint_eq(calls, 0); /* nothing runs before the request is complete */
	}
	r = read_line(m, fd);
	ck_assert_uint_eq(calls, 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "result"), "s")),
			 "br}ace\"{");
	json_decref(r);
	close(fd);
	vtep_mgmt_free(m);
}
END_TEST

START_TEST(t_pipelined)
{
	struct vtep_mgmt *m = mk_server(0, 0);
	int fd = connect_client();
	const char *req = "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1}"
			  "{\"jsonrpc\":\"2.0\",\"method\":\"fail\",\"id\":2}\n"
			  "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":3}";
	json_t *r;

	send_all(fd, req, strlen(req));
	for (int id = 1; id <= 3; id++) {
		r = read_line(m, fd);
		ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), id);
		json_decref(r);
	}
	ck_assert_uint_eq(calls, 3);
	close(fd);
	vtep_mgmt_free(m);
}
END_TEST

START_TEST(t_many_clients)
{
	struct vtep_mgmt *m = mk_server(0, 0);
	int fds[10];
	char req[10][128];

	for (int i = 0; i < 10; i++) {
		fds[i] = connect_client();
		snprintf(req[i], sizeof(req[i]), "{\"jsonrpc\":\"2.0\",\"method\":\"echo\","
			 "\"params\":{\"c\":%d},\"id\":%d}", i, 100 + i);
		send_all(fds[i], req[i], 20); /* everyone sends a first part */
		vtep_mgmt_poll(m);
	}
	ck_assert_uint_eq(calls, 0);
	for (int i = 9; i >= 0; i--)
		send_all(fds[i], req[i] + 20, strlen(req[i]) - 20);
	for (int i = 0; i < 10; i++) {
		json_t *r = read_line(m, fds[i]);

		ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 100 + i);
		ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r, "result"),
								    "c")), i);
		json_decref(r);
		close(fds[i]);
	}
	ck_assert_uint_eq(calls, 10);
	vtep_mgmt_free(m);
}
END_TEST

START_TEST(t_malformed)
{
	struct vtep_mgmt *m = mk_server(0, 0);
	int fd = connect_client();
	const char *bad = "{\"jsonrpc\": \"2.0\",, \"method\": \"echo\"}";
	const char *good = "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":5}";
	json_t *r;

	send_all(fd, bad, strlen(bad));
	r = read_line(m, fd);
	ck_assert_int_eq(err_code(r), VTEP_MGMT_E_PARSE);
	ck_assert_ptr_nonnull(strstr(err_msg(r), "parse error"));
	ck_assert(json_is_null(json_object_get(r, "id")));
	json_decref(r);
	ck_assert_uint_eq(calls, 0);
	/* the connection still works */
	send_all(fd, good, strlen(good));
	r = read_line(m, fd);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 5);
	json_decref(r);
	/* text that is not an object or array: parse error, then the server closes */
	send_all(fd, "hello\n", 6);
	r = read_line(m, fd);
	ck_assert_int_eq(err_code(r), VTEP_MGMT_E_PARSE);
	json_decref(r);
	ck_assert(closed_by_server(m, fd));
	ck_assert_uint_eq(calls, 1);
	close(fd);
	vtep_mgmt_free(m);
}
END_TEST

START_TEST(t_invalid)
{
	static const struct {
		const char *req;
		int code;
		const char *msg;
	} cases[] = {
		{ "{\"method\":\"echo\",\"id\":1}", VTEP_MGMT_E_REQUEST, "'jsonrpc' must be \"2.0\"" },
		{ "{\"jsonrpc\":\"1.0\",\"method\":\"echo\",\"id\":1}", VTEP_MGMT_E_REQUEST,
		  "'jsonrpc' must be \"2.0\"" },
		{ "{\"jsonrpc\":\"2.0\",\"method\":5,\"id\":1}", VTEP_MGMT_E_REQUEST,
		  "'method' must be a string" },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1}", VTEP_MGMT_E_REQUEST, "'method' must be a string" },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"nope\",\"id\":1}", VTEP_MGMT_E_METHOD,
		  "unknown method 'nope'" },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":3,\"id\":1}",
		  VTEP_MGMT_E_REQUEST, "'params' must be an object or an array" },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[1],\"id\":1}",
		  VTEP_MGMT_E_PARAMS, "echo: params must be an object (named parameters)" },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"extra\":1,\"id\":1}",
		  VTEP_MGMT_E_REQUEST, "unknown member 'extra'" },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":{}}", VTEP_MGMT_E_REQUEST,
		  "'id' must be a string, a number or null" },
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"method\":\"fail\",\"id\":1}",
		  VTEP_MGMT_E_PARSE, "duplicate object key" },
		{ "[]", VTEP_MGMT_E_REQUEST, "empty batch" },
	};
	struct vtep_mgmt *m = mk_server(0, 0);
	int fd = connect_client();

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *r;

		send_all(fd, cases[i].req, strlen(cases[i].req));
		r = read_line(m, fd);
		ck_assert_msg(err_code(r) == cases[i].code, "case %u: code %d", i, err_code(r));
		ck_assert_msg(strstr(err_msg(r), cases[i].msg) != NULL, "case %u: message '%s'", i,
			      err_msg(r));
		json_decref(r);
	}
	ck_assert_uint_eq(calls, 0); /* no invalid request reached a handler */
	close(fd);
	vtep_mgmt_free(m);
}
END_TEST

START_TEST(t_oversize)
{
	struct vtep_mgmt *m = mk_server(1024, 0);
	int fd = connect_client(), fd2 = connect_client();
	char req[4096];
	json_t *r;

	memset(req, ' ', sizeof(req));
	memcpy(req, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":{\"s\":\"", 48);
	memset(req + 48, 'a', 3000); /* the closing of the request is never sent */
	send_all(fd, req, 3048);
	r = read_line(m, fd);
	ck_assert_int_eq(err_code(r), VTEP_MGMT_E_REQUEST);
	ck_assert_str_eq(err_msg(r), "request too large: more than 1024 bytes");
	json_decref(r);
	ck_assert(closed_by_server(m, fd));
	ck_assert_uint_eq(calls, 0);
	/* other clients are unaffected */
	send_all(fd2, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1}", 40);
	r = read_line(m, fd2);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 1);
	json_decref(r);
	/* a complete request over the limit, arriving at once, is refused the same way */
	memcpy(req + 3048, "\"},\"id\":2}", 10);
	send_all(fd2, req, 3058);
	r = read_line(m, fd2);
	ck_assert_int_eq(err_code(r), VTEP_MGMT_E_REQUEST);
	json_decref(r);
	ck_assert(closed_by_server(m, fd2));
	ck_assert_uint_eq(calls, 1);
	close(fd);
	close(fd2);
	vtep_mgmt_free(m);
}
END_TEST

START_TEST(t_disconnect_mid)
{
	struct vtep_mgmt *m = mk_server(0, 0);
	struct vtep_mgmt_stats st;
	int fd = connect_client(), fd2 = connect_client();
	json_t *r;

	send_all(fd, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"par", 37);
	for (int i = 0; i < 5; i++)
		vtep_mgmt_poll(m);
	close(fd);
	for (int i = 0; i < 20; i++) {
		vtep_mgmt_poll(m);
		usleep(1000);
	}
	vtep_mgmt_get_stats(m, &st);
	ck_assert_uint_eq(st.dropped_partial, 1);
	ck_assert_uint_eq(st.clients, 1);
	ck_assert_uint_eq(calls, 0);
	/* a complete request followed by a half-close is still answered */
	send_all(fd2, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":2}", 40);
	shutdown(fd2, SHUT_WR);
	r = read_line(m, fd2);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 2);
	json_decref(r);
	ck_assert(closed_by_server(m, fd2));
	close(fd2);
	vtep_mgmt_free(m);
}
END_TEST

START_TEST(t_notification_batch)
{
	struct vtep_mgmt *m = mk_server(0, 0);
	int fd = connect_client();
	const char *notif = "{\"jsonrpc\":\"2.0\",\"method\":\"echo\"}";
	const char *batch = "[{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1},"
			    "{\"jsonrpc\":\"2.0\",\"method\":\"echo\"},"
			    "{\"jsonrpc\":\"2.0\",\"method\":\"fail\",\"id\":2}, 5]";
	json_t *r;

	send_all(fd, notif, strlen(notif));
	send_all(fd, batch, strlen(batch));
	r = read_line(m, fd); /* the notification got nothing: the first line is the batch */
	ck_assert(json_is_array(r));
	ck_assert_uint_eq(json_array_size(r), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(r, 0), "id")), 1);
	ck_assert_int_eq(err_code(json_array_get(r, 1)), VTEP_MGMT_E_NOT_FOUND);
	ck_assert_int_eq(err_code(json_array_get(r, 2)), VTEP_MGMT_E_REQUEST);
	json_decref(r);
	ck_assert_uint_eq(calls, 4);
	close(fd);
	vtep_mgmt_free(m);
}
END_TEST

START_TEST(t_big_response)
{
	struct vtep_mgmt *m = mk_server(0, 0);
	int fd = connect_client();
	const char *req = "{\"jsonrpc\":\"2.0\",\"method\":\"big\",\"params\":{\"size\":3000000},"
			  "\"id\":9}";
	json_t *r;

	send_all(fd, req, strlen(req));
	for (int i = 0; i < 10; i++) /* the client does not read yet: output must wait */
		vtep_mgmt_poll(m);
	r = read_line(m, fd);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), 9);
	ck_assert_uint_eq(json_string_length(json_object_get(r, "result")), 3000000);
	json_decref(r);
	close(fd);
	vtep_mgmt_free(m);
}
END_TEST

START_TEST(t_max_clients)
{
	struct vtep_mgmt *m = mk_server(0, 2);
	struct vtep_mgmt_stats st;
	int a = connect_client(), b = connect_client(), c;
	json_t *r;

	vtep_mgmt_poll(m);
	c = connect_client();
	r = read_line(m, c);
	ck_assert_ptr_nonnull(strstr(err_msg(r), "too many clients (limit 2)"));
	json_decref(r);
	ck_assert(closed_by_server(m, c));
	vtep_mgmt_get_stats(m, &st);
	ck_assert_uint_eq(st.rejected, 1);
	ck_assert_uint_eq(st.clients, 2);
	close(a);
	close(b);
	close(c);
	vtep_mgmt_free(m);
}
END_TEST

START_TEST(t_stale_socket)
{
	struct vtep_mgmt_params p = { .path = sock_path, .methods = methods, .n_methods = 3 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vtep_mgmt *m = NULL, *m2 = NULL;
	struct stat st;
	char err[256];
	int fd;

	snprintf(sock_path, sizeof(sock_path), "/tmp/ckmgmt-%d-stale.sock", (int)getpid());
	unlink(sock_path);
	/* a socket file left behind by a process that died */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	ck_assert_int_eq(vtep_mgmt_create(&p, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(sock_path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0660); /* the default mode */
	/* a live one is not taken over */
	ck_assert_int_eq(vtep_mgmt_create(&p, &m2, err, sizeof(err)), -EADDRINUSE);
	ck_assert_ptr_nonnull(strstr(err, "another process is serving this socket"));
	vtep_mgmt_free(m);
	/* a regular file is never removed */
	fd = open(sock_path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	ck_assert_int_eq(vtep_mgmt_create(&p, &m2, err, sizeof(err)), -EEXIST);
	ck_assert_ptr_nonnull(strstr(err, "exists and is not a socket"));
	ck_assert_int_eq(access(sock_path, F_OK), 0);
	unlink(sock_path);
}
END_TEST

static Suite *
mgmt_suite(void)
{
	Suite *s = suite_create("mgmt");
	TCase *tc = tcase_create("server");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, t_basic);
	tcase_add_test(tc, t_split_bytes);
	tcase_add_test(tc, t_pipelined);
	tcase_add_test(tc, t_many_clients);
	tcase_add_test(tc, t_malformed);
	tcase_add_test(tc, t_invalid);
	tcase_add_test(tc, t_oversize);
	tcase_add_test(tc, t_disconnect_mid);
	tcase_add_test(tc, t_notification_batch);
	tcase_add_test(tc, t_big_response);
	tcase_add_test(tc, t_max_clients);
	tcase_add_test(tc, t_stale_socket);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(mgmt_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
