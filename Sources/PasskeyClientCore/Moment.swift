extension Auth {
    /// A moment to the minute in the person's time zone, read from an ISO-8601 time
    /// (`2026-11-22T10:00:00Z`, `…+09:00`), for a language to write.
    public struct Moment: Equatable, Sendable {
        public var day: Day
        public var hour: Int
        public var minute: Int

        public init(day: Day, hour: Int, minute: Int) {
            self.day = day
            self.hour = hour
            self.minute = minute
        }

        /// `time` shown `utcOffsetMinutes` east of UTC (the shell's time zone; 540 for Japan);
        /// `nil` when `time` is not `YYYY-MM-DDTHH:MM…` with `Z` or an offset.
        public init?(iso8601 time: String, utcOffsetMinutes: Int = 0) {
            let bytes = Array(time.utf8)
            guard bytes.count >= 17, let day = Day(iso8601: time), bytes[10] == 84 || bytes[10] == 116, bytes[13] == 58,
                  let hour = Self.number(bytes, 11..<13), let minute = Self.number(bytes, 14..<16),
                  hour < 24, minute < 60, let zone = Self.zone(bytes.dropFirst(16))
            else { return nil }
            let minutes = Self.days(day) * 1440 + hour * 60 + minute - zone + utcOffsetMinutes
            let (days, within) = (minutes.quotientFloor(1440), minutes.moduloFloor(1440))
            self.init(day: Self.civil(days), hour: within / 60, minute: within % 60)
        }

        /// `HH:MM`.
        public var clock: String {
            (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
        }

        private static func number(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }

        /// The minutes east of UTC that the rest of the time (`:SS.fff` then `Z` or `±HH:MM`) names.
        private static func zone(_ rest: ArraySlice<UInt8>) -> Int? {
            var rest = Array(rest)
            if rest.first == 58 {
                // Seconds and a fraction: not shown.
                rest.removeFirst()
                while let first = rest.first, (first >= 48 && first <= 57) || first == 46 { rest.removeFirst() }
            }
            if rest == [90] || rest == [122] { return 0 }
            guard rest.count == 6, rest[0] == 43 || rest[0] == 45, rest[3] == 58,
                  let hours = number(rest, 1..<3), let minutes = number(rest, 4..<6), hours < 24, minutes < 60
            else { return nil }
            return (rest[0] == 45 ? -1 : 1) * (hours * 60 + minutes)
        }

        /// Days since 1970-01-01 of a proleptic Gregorian day.
        private static func days(_ day: Day) -> Int {
            let year = day.month <= 2 ? day.year - 1 : day.year
            let era = year.quotientFloor(400)
            let yearOfEra = year - era * 400
            let dayOfYear = (153 * (day.month + (day.month > 2 ? -3 : 9)) + 2) / 5 + day.day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            return era * 146_097 + dayOfEra - 719_468
        }

        /// The day `days` after 1970-01-01.
        private static func civil(_ days: Int) -> Day {
            let shifted = days + 719_468
            let era = shifted.quotientFloor(146_097)
            let dayOfEra = shifted - era * 146_097
            let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
            let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
            let monthIndex = (5 * dayOfYear + 2) / 153
            let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
            let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
            return Day(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
        }
    }
}

extension Int {
    fileprivate func quotientFloor(_ divisor: Int) -> Int {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    fileprivate func moduloFloor(_ divisor: Int) -> Int {
        self - quotientFloor(divisor) * divisor
    }
}
