"""Several `passkeys serve` processes on one PostgreSQL database behave as one server."""

import copy
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from conftest import BIN, Server, free_port
from webauthn_client import Browser, Passkey, sign_in, sign_up


def test_a_ceremony_begun_at_one_process_is_finished_at_the_other(start_servers):
    a, b = start_servers(2)
    browser, passkey = Browser(f"http://localhost:{a.port}"), Passkey("localhost")
    status, body = sign_up(browser, passkey, "ada@example.com", begin_at=a.url, finish_at=b.url)
    assert status == 201, body
    browser.cookies.clear()
    status, body = sign_in(browser, passkey, begin_at=b.url, finish_at=a.url, username="ada@example.com")
    assert status == 200, body
    assert body["user"]["username"] == "ada@example.com"
    # The session made by one process is good at both.
    assert browser.get(a.url, "/api/session")[0] == 200
    assert browser.get(b.url, "/api/session")[0] == 200


def test_one_assertion_posted_to_both_processes_at_once_signs_in_exactly_once(start_servers):
    a, b = start_servers(2)
    browser, passkey = Browser(f"http://localhost:{a.port}"), Passkey("localhost")
    assert sign_up(browser, passkey, "ada@example.com", a.url, a.url)[0] == 201
    for _ in range(25):
        browser.cookies.clear()
        status, options = browser.post(a.url, "/api/authentication/options", {})
        assert status == 200
        assertion = passkey.get(options, browser.origin)
        tabs = [copy.deepcopy(browser), copy.deepcopy(browser)]
        start = threading.Barrier(2)

        def post(index):
            start.wait()
            return tabs[index].post([a.url, b.url][index], "/api/authentication", assertion)

        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(post, range(2)))
        statuses = sorted(status for status, _ in results)
        assert statuses[0] == 200 and 400 <= statuses[1] < 500, results


def test_kill_9_of_a_process_loses_no_sign_up_it_answered(start_servers):
    a, b = start_servers(2)
    answered: list[tuple[str, Passkey]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def keep_signing_up(worker):
        number = 0
        while not stop.is_set():
            number += 1
            username = f"user{worker}-{number}@example.com"
            browser, passkey = Browser(f"http://localhost:{a.port}"), Passkey("localhost")
            try:
                status, _ = sign_up(browser, passkey, username, a.url, a.url)
            except OSError:
                continue  # the process died under this request: it answered nothing
            if status == 201:
                with lock:
                    answered.append((username, passkey))

    threads = [threading.Thread(target=keep_signing_up, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(answered) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    a.kill()
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join()
    assert len(answered) >= 20
    for username, passkey in answered:
        browser = Browser(f"http://localhost:{b.port}")
        status, body = sign_in(browser, passkey, b.url, b.url, username=username)
        assert status == 200, (username, body)


def test_a_burst_alternating_between_processes_is_limited_as_if_it_went_to_one(start_servers):
    a, b = start_servers(2, rate_limit=10)
    browser = Browser(f"http://localhost:{a.port}")
    began = time.monotonic()
    statuses = [browser.post([a.url, b.url][i % 2], "/api/authentication/options", {})[0] for i in range(30)]
    elapsed = time.monotonic() - began
    allowed = statuses.count(200)
    # 10 a minute in bursts of 10: one more per 6 s that the burst took.
    assert 10 <= allowed <= 10 + int(elapsed // 6), statuses
    assert statuses.count(429) == 30 - allowed, statuses
    assert statuses[:10] == [200] * 10


def test_a_server_answers_503_while_the_database_is_down_and_signs_in_again_after(start_servers, cluster):
    (a,) = start_servers(1)
    browser, passkey = Browser(f"http://localhost:{a.port}"), Passkey("localhost")
    assert sign_up(browser, passkey, "ada@example.com", a.url, a.url)[0] == 201
    cluster.halt()
    try:
        status, body = browser.post(a.url, "/api/authentication/options", {"username": "ada@example.com"})
        assert status == 503 and body["error"]["code"] == "unavailable", body
        assert browser.get(a.url, "/api/session")[0] == 503
        assert a.health() == 503
    finally:
        cluster.resume()
    deadline = time.monotonic() + 30
    while a.health() != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert a.health() == 200
    assert a.process.poll() is None, "the same process serves again"
    browser.cookies.clear()
    status, body = sign_in(browser, passkey, a.url, a.url, username="ada@example.com")
    assert status == 200, body


def test_a_server_started_before_its_database_waits_for_it(cluster, database, tmp_path):
    cluster.halt()
    port = free_port()
    server = Server(database, port, [f"http://localhost:{port}"], tmp_path / "server.log")
    try:
        time.sleep(2.5)
        assert server.process.poll() is None, server.log.read_text()
        log = server.log.read_text()
        assert "not reachable (try 1)" in log and "(try 2)" in log, log
        cluster.resume()
        server.wait_healthy()
        browser, passkey = Browser(f"http://localhost:{port}"), Passkey("localhost")
        assert sign_up(browser, passkey, "ada@example.com", server.url, server.url)[0] == 201
    finally:
        cluster.resume()
        server.stop()


def test_migrate_run_by_several_processes_at_once_migrates_once(cluster, database):
    runs = [subprocess.Popen([BIN, "migrate", "--database", database], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(3)]
    outputs = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    versions = cluster.query(database, "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations")
    assert versions.split(",") == sorted(set(versions.split(",")), key=int)
    assert all("schema version" in out for out, _ in outputs)


def test_migrate_says_when_the_database_cannot_be_reached(tmp_path):
    port = free_port()
    run = subprocess.run([BIN, "migrate", "--database", f"postgres://passkeys@127.0.0.1:{port}/passkeys"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 69, run
    assert "passkeys migrate" in run.stderr
