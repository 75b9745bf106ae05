#!/usr/bin/env bash
# Builds the libFuzzer targets: Fuzz/build.sh [TARGET…] (default: all of Fuzz/Targets).
#
# The package's own debug build provides the dependencies (swift-crypto, swift-certificates,
# swift-asn1) as object files, so this script compiles only what is fuzzed: PasskeyCBOR and
# WebAuthn, again, with coverage instrumentation and AddressSanitizer (-sanitize=fuzzer,address,
# optimised), and one small harness per target. That keeps the fuzz build to about a minute
# on a machine that has run `swift build`, instead of a second full build of the dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# FUZZ_DEPENDENCIES=release links the dependencies' release build instead (a long first build),
# so that the time an input takes is not the time unoptimised swift-crypto and swift-certificates take.
configuration=${FUZZ_DEPENDENCIES:-debug}
reused=$(ls -d "$root"/.build/*-*/"$configuration" 2>/dev/null | head -1 || true)
if [ -n "${FUZZ_REUSE_DEPENDENCIES:-}" ] && [ -d "$reused/Modules" ]; then
  products=$reused  # as the last `swift build` left them
else
  echo "== fuzz build: the package's dependencies (swift build -c $configuration --target WebAuthn)"
  swift build -c "$configuration" --target WebAuthn 2>&1 | tail -1
  products=$(swift build -c "$configuration" --show-bin-path)
fi
out="$root/Fuzz/.build/$configuration"
mkdir -p "$out/modules" "$out/bin"

# What WebAuthn links against: the object files of its dependencies' targets.
dependency_targets=(CCryptoBoringSSL CCryptoBoringSSLShims CryptoBoringWrapper CXKCP CXKCPShims Crypto CryptoExtras _CryptoExtras SwiftASN1 _CertificateInternals X509)
dependency_objects=()
for target in "${dependency_targets[@]}"; do
  if [ -d "$products/$target.build" ]; then
    while IFS= read -r object; do dependency_objects+=("$object"); done < <(find "$products/$target.build" -name '*.o' | sort)
  fi
done
# The C targets' module maps, so that importing Crypto finds the modules it was built with.
clang_modules=()
for map in "$root"/.build/checkouts/swift-crypto/Sources/{CCryptoBoringSSL,CCryptoBoringSSLShims,CXKCP,CXKCPShims}/include/module.modulemap; do
  [ -f "$map" ] && clang_modules+=(-Xcc "-fmodule-map-file=$map" -Xcc -I -Xcc "$(dirname "$map")")
done

# The ML-DSA-44 shim (Sources/CPasskeyMLDSA), compiled here with a module map of its own.
boringssl_include="$root/.build/checkouts/swift-crypto/Sources/CCryptoBoringSSL/include"
mkdir -p "$out/modules/CPasskeyMLDSA"
clang -O2 -fPIC -I "$root/Sources/CPasskeyMLDSA/include" -I "$boringssl_include" \
  -c "$root/Sources/CPasskeyMLDSA/mldsa44.c" -o "$out/modules/CPasskeyMLDSA.o"
printf 'module CPasskeyMLDSA {\n  header "%s"\n  export *\n}\n' "$root/Sources/CPasskeyMLDSA/include/CPasskeyMLDSA.h" \
  > "$out/modules/CPasskeyMLDSA/module.modulemap"
clang_modules+=(-Xcc "-fmodule-map-file=$out/modules/CPasskeyMLDSA/module.modulemap")

swift_flags=(-parse-as-library -O -sanitize=fuzzer,address -swift-version 6 -enable-upcoming-feature ExistentialAny
  -package-name swift_passkeys -I "$out/modules" -I "$products/Modules" -module-cache-path "$out/module-cache" "${clang_modules[@]}")

compile_module() { # NAME SOURCE_DIR [DIRECTORY IT DEPENDS ON…]
  local name=$1 dir=$2
  shift 2
  local sources=()
  while IFS= read -r file; do sources+=("$file"); done < <(find "$dir" -name '*.swift' | sort)
  local object="$out/modules/$name.o"
  if [ -f "$object" ] && [ -z "$(find "$dir" "$@" "$0" -newer "$object" -name '*.swift' -o -newer "$object" -name build.sh)" ]; then
    return
  fi
  echo "== fuzz build: $name (${#sources[@]} files, instrumented)"
  swiftc "${swift_flags[@]}" -enable-testing -module-name "$name" -wmo -c "${sources[@]}" \
    -emit-module -emit-module-path "$out/modules/$name.swiftmodule" -o "$out/modules/$name.o"
}
compile_module PasskeyCBOR "$root/Sources/PasskeyCBOR"
compile_module WebAuthn "$root/Sources/WebAuthn" "$root/Sources/PasskeyCBOR"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for file in "$root"/Fuzz/Targets/*.swift; do targets+=("$(basename "$file" .swift)"); done
fi
for target in "${targets[@]}"; do
  [ -f "$root/Fuzz/Targets/$target.swift" ] || { echo "no such fuzz target: $target (see Fuzz/Targets)" >&2; exit 2; }
  # A target names other sources it needs on a line "// fuzz-sources: PATH…" (from the root).
  extra=()
  for path in $(sed -n 's|^// fuzz-sources: ||p' "$root/Fuzz/Targets/$target.swift"); do extra+=("$root/$path"); done
  echo "== fuzz build: $target"
  swiftc "${swift_flags[@]}" -module-name "Fuzz_${target//-/_}" \
    "$root/Fuzz/Support/Harness.swift" "$root/Fuzz/Targets/$target.swift" "${extra[@]}" \
    "$out/modules/PasskeyCBOR.o" "$out/modules/WebAuthn.o" "$out/modules/CPasskeyMLDSA.o" "${dependency_objects[@]}" -lstdc++ \
    -o "$out/bin/$target" 2> >(grep -v "ld.gold: warning: Cannot export local symbol" >&2)
done
