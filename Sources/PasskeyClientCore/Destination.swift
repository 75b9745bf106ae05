extension Auth {
    /// Where a page goes after signing in: the page a `?next=` names when it is safe to follow,
    /// else the account page.
    ///
    /// An open redirect after sign-in hands a phishing page a person who has just signed in, so a
    /// relative `next` is followed only as the path a browser would resolve it to, and only when
    /// that path stays on this site — decided without a browser's URL parser, so conservatively:
    /// it starts with one `/`, it is printable ASCII without `\` (browsers read `\` as `/` and
    /// drop tabs and line breaks, so `/\evil` and `/<TAB>/evil` become `//evil`), and once its `.`
    /// and `..` segments are removed (RFC 3986 §5.2.4, `%2e` counting as a dot as browsers count
    /// it) it does not start with `//` (`/..//evil` and `/a/../..//evil` do). The resolved path is
    /// what the page goes to, so nothing is resolved a second time. An absolute `http(s)` `next`
    /// (forward-auth sends people back to another app) is the server's to judge: it goes through
    /// `/continue`, which follows only its own origins and allowed hosts (docs/forward-auth.md).
    public enum Destination {
        /// The page after signing in: the account page when it has work left (`toAccount`),
        /// else `next` when it is safe, else the account page.
        ///
        /// A password account's first passkey is work the account page does on the way: it goes
        /// there with `next` (when safe) in its own `?next=`, and on to it once the passkey is made.
        /// A `recovery` session's stays on the account page.
        public static func afterSignIn(next: String?, toAccount: Bool, recovery: Bool = false) -> String {
            guard let next, let onward = onward(next) else { return "/account" }
            guard toAccount else { return onward }
            guard !recovery else { return "/account" }
            return "/account?next=" + percentEncoded(isAbsoluteHTTP(next) ? next : onward)
        }

        /// Where `next` leads from this site: an absolute `http(s)` URL through `/continue`, a
        /// relative one as its safe path; `nil` when it could lead elsewhere.
        static func onward(_ next: String) -> String? {
            if isAbsoluteHTTP(next) { return "/continue?next=" + percentEncoded(next) }
            return safeRelativePath(next)
        }

        /// The path on this site that `next` resolves to, or `nil` when it could lead elsewhere.
        public static func safeRelativePath(_ next: String) -> String? {
            let bytes = Array(next.utf8)
            // One leading `/`; printable ASCII only, and no backslash.
            guard bytes.first == 47, bytes.allSatisfy({ $0 > 32 && $0 < 127 && $0 != 92 }) else { return nil }
            let pathEnd = bytes.firstIndex { $0 == 63 || $0 == 35 } ?? bytes.count  // `?` or `#`
            var kept: [ArraySlice<UInt8>] = []
            var trailingSlash = false
            for segment in bytes[1..<pathEnd].split(separator: 47, omittingEmptySubsequences: false) {
                let dots = dotCount(segment)
                if dots == 2, !kept.isEmpty { kept.removeLast() }
                if dots == 0 { kept.append(segment) }
                trailingSlash = dots > 0
            }
            var path: [UInt8] = [47]
            for (index, segment) in kept.enumerated() {
                if index > 0 { path.append(47) }
                path.append(contentsOf: segment)
            }
            if trailingSlash, !kept.isEmpty { path.append(47) }
            guard !path.starts(with: [47, 47]) else { return nil }
            return String(decoding: path + bytes[pathEnd...], as: UTF8.self)
        }

        /// 1 for `.`, 2 for `..` (each dot written as `.` or `%2e`), else 0.
        private static func dotCount(_ segment: ArraySlice<UInt8>) -> Int {
            let bytes = Array(segment)
            var dots = 0
            var index = 0
            while index < bytes.count {
                if bytes[index] == 46 {
                    index += 1
                } else if index + 2 < bytes.count, bytes[index] == 37, bytes[index + 1] == 50, bytes[index + 2] | 32 == 101 {
                    index += 3
                } else {
                    return 0
                }
                dots += 1
            }
            return dots <= 2 ? dots : 0
        }

        static func isAbsoluteHTTP(_ text: String) -> Bool {
            let lower = lowercased(Array(text.utf8.prefix(8)))
            return lower.starts(with: "http://".utf8) || lower.starts(with: "https://".utf8)
        }

        /// Percent-encodes all but the characters `encodeURIComponent` leaves (RFC 3986 unreserved and `!*'()`).
        static func percentEncoded(_ text: String) -> String {
            let hex = Array("0123456789ABCDEF".utf8)
            var out: [UInt8] = []
            for byte in text.utf8 {
                switch byte {
                case 48...57, 65...90, 97...122, 45, 95, 46, 33, 126, 42, 39, 40, 41: out.append(byte)
                default: out.append(contentsOf: [37, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
                }
            }
            return String(decoding: out, as: UTF8.self)
        }

        private static func lowercased(_ bytes: [UInt8]) -> [UInt8] {
            bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        }
    }
}
