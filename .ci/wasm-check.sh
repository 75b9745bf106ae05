#!/usr/bin/env bash
# Checks that the client core (Sources/PasskeyClientCore) compiles with Embedded Swift to
# WebAssembly and links with nothing but a small freestanding allocator, so the browser can run
# the same state machine. When node is installed it also instantiates the module and runs a
# sign-up flow in it. Prints one line; exits non-zero on failure.
set -uo pipefail
cd "$(dirname "$0")/.."

fail() { echo "wasm: FAILED: $1"; [ -s "${log:-/dev/null}" ] && sed 's/^/  /' "$log" | head -40 >&2; exit 1; }

# The toolchain's own swiftc, clang and wasm-ld (Linux packages put them side by side).
swiftc=$(command -v swiftc || true)
[ -n "$swiftc" ] || swiftc=/opt/swift/usr/bin/swiftc
bindir=$(dirname "$(readlink -f "$swiftc")")
find_tool() {
  for candidate in "$bindir/$1" "/opt/swift/usr/bin/$1" "$(command -v "$1" 2>/dev/null)"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] && { echo "$candidate"; return; }
  done
}
clang=$(find_tool clang); wasmld=$(find_tool wasm-ld)
[ -x "$swiftc" ] || fail "swiftc not found"
[ -n "$clang" ] || fail "clang not found next to swiftc, in /opt/swift/usr/bin or on PATH"
[ -n "$wasmld" ] || fail "wasm-ld not found next to swiftc, in /opt/swift/usr/bin or on PATH"
tables=$(dirname "$bindir")/lib/swift/embedded/wasm32-unknown-none-wasm/libswiftUnicodeDataTables.a
[ -f "$tables" ] || fail "no Embedded Swift standard library for wasm32 ($tables)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log="$tmp/log"
embedded=(-target wasm32-unknown-none-wasm -enable-experimental-feature Embedded -wmo -Osize
  -parse-as-library -Xfrontend -disable-stack-protector)

# The allocator and memory functions the Embedded runtime needs, over linear memory that only grows.
cat > "$tmp/rt.c" <<'C'
typedef unsigned long size_t;
extern unsigned char __heap_base;
static unsigned long next_free = 0;
void *memset(void *d, int c, size_t n) { unsigned char *p = d; while (n--) *p++ = (unsigned char)c; return d; }
void *memcpy(void *d, const void *s, size_t n) { unsigned char *p = d; const unsigned char *q = s; while (n--) *p++ = *q++; return d; }
void *memmove(void *d, const void *s, size_t n) {
  unsigned char *p = d; const unsigned char *q = s;
  if (p < q) { while (n--) *p++ = *q++; } else { p += n; q += n; while (n--) *--p = *--q; }
  return d;
}
int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *p = a, *q = b;
  for (; n; n--, p++, q++) if (*p != *q) return *p - *q;
  return 0;
}
int posix_memalign(void **out, size_t align, size_t size) {
  if (!next_free) next_free = (unsigned long)&__heap_base;
  if (align < 8) align = 8;
  unsigned long start = (next_free + align - 1) & ~(align - 1), end = start + size;
  unsigned long have = __builtin_wasm_memory_size(0) * 65536UL;
  if (end > have && __builtin_wasm_memory_grow(0, (end - have + 65535) / 65536) == (size_t)-1) return 12;
  next_free = end; *out = (void *)start; return 0;
}
void free(void *p) { (void)p; }
/* Seeds Hasher. The core hashes nothing, so a fixed sequence is enough here; a browser build
   would import crypto.getRandomValues instead. */
void arc4random_buf(void *buf, size_t n) {
  static unsigned int x = 2463534242u; unsigned char *p = buf;
  while (n--) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; *p++ = (unsigned char)x; }
}
C
"$clang" --target=wasm32-unknown-unknown -ffreestanding -nostdlib -O2 -c "$tmp/rt.c" -o "$tmp/rt.o" >"$log" 2>&1 \
  || fail "the allocator does not compile"

# 1. The core's sources alone, as the browser build compiles them.
"$swiftc" "${embedded[@]}" -module-name PasskeyClientCore Sources/PasskeyClientCore/*.swift -c -o "$tmp/core.o" >"$log" 2>&1 \
  || fail "Sources/PasskeyClientCore does not compile with Embedded Swift for wasm32"
"$wasmld" --no-entry --export-all "$tmp/core.o" "$tmp/rt.o" "$tables" -o "$tmp/core.wasm" >"$log" 2>&1 \
  || fail "core.o does not link with wasm-ld (a symbol outside the standard library?)"
size=$(( $(wc -c < "$tmp/core.wasm") / 1024 ))

# 2. With a small driver, run a sign-up flow inside the module.
cat > "$tmp/Smoke.swift" <<'SWIFT'
@_cdecl("passkeys_core_smoke")
public func passkeysCoreSmoke() -> Int32 {
    var state = Auth.State.signedOut(Auth.SignedOut())
    let options = Auth.CreationOptionsJSON(#"{"challenge":"AAAA"}"#)
    let credential = Auth.RegistrationCredentialJSON(#"{"id":"AQ"}"#)
    let user = Auth.User(id: "AQID", username: "ada", displayName: "Ada")
    let passkey = Auth.Passkey(
        id: Auth.PasskeyID("AQ"), name: "Passkey", createdAt: "2026-11-22T10:00:00Z", aaguid: "00000000-0000-0000-0000-000000000000",
        synced: true, backupEligible: true, algorithm: -7)
    guard Auth.update(&state, .view(.signUp(username: "ada"))) == [.api(.registrationOptions(username: "ada", displayName: nil)), .render],
          Auth.update(&state, .api(.registrationOptions(.success(options)))) == [.passkey(.create(options)), .render],
          Auth.update(&state, .passkey(.create(.success(credential)))) == [.api(.registration(credential)), .render],
          Auth.update(&state, .api(.registration(.success(Auth.Registered(user: user, passkey: passkey))))) == [.render],
          state == .signedIn(Auth.Account(user: user, passkeys: [passkey])),
          Auth.view(state).account?.passkeys?.first?.details == "synced · added 2026-11-22"
    else { return 1 }
    var refused = Auth.State.signedOut(Auth.SignedOut())
    _ = Auth.update(&refused, .view(.signUp(username: "ada")))
    let taken = Auth.ServerRefusal(status: 409, code: "username_taken", message: "taken")
    guard Auth.update(&refused, .api(.registrationOptions(.failure(.refused(taken))))) == [.render],
          Auth.view(refused).problem == Auth.Problem.usernameTaken.words
    else { return 2 }
    return 0
}
SWIFT
"$swiftc" "${embedded[@]}" -module-name PasskeyClientCore Sources/PasskeyClientCore/*.swift "$tmp/Smoke.swift" -c -o "$tmp/smoke.o" >"$log" 2>&1 \
  || fail "the core with the smoke driver does not compile"
"$wasmld" --no-entry --export=passkeys_core_smoke "$tmp/smoke.o" "$tmp/rt.o" "$tables" -o "$tmp/smoke.wasm" >"$log" 2>&1 \
  || fail "the smoke driver does not link"

if command -v node >/dev/null 2>&1; then
  result=$(node -e '
    const bytes = require("fs").readFileSync(process.argv[1]);
    WebAssembly.instantiate(bytes, {}).then(
      (m) => console.log(m.instance.exports.passkeys_core_smoke()),
      (e) => console.log("instantiate: " + e.message));' "$tmp/smoke.wasm" 2>&1)
  [ "$result" = "0" ] || fail "the sign-up flow in WebAssembly returned $result (0 is success)"
  echo "wasm: PasskeyClientCore compiles with Embedded Swift for wasm32 (core.wasm ${size} KiB) and a sign-up flow runs in node"
else
  echo "wasm: PasskeyClientCore compiles with Embedded Swift for wasm32 (core.wasm ${size} KiB); node not found, flow not run"
fi
