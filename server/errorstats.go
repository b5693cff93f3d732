package server

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// errorStats is INFO errorstats and total_error_replies: error replies counted by
// their code, the reply's first word when a space ends it within the reply's first 32
// bytes ("ERR" otherwise).
//
// As Redis does since 7.2.5 (7.0.15 has no limit), at most 128 codes are kept: a 129th
// distinct code means the codes are being abused (scripts' error_reply with variable
// text), so the table is dropped, the codes it held are logged, INFO shows a single
// ERRORSTATS_DISABLED, and nothing more is counted by code until CONFIG RESETSTAT.
// total_error_replies goes on counting.
type errorStats struct {
	mu       sync.Mutex
	total    int64
	byCode   map[string]int64
	disabled bool
}

const (
	maxErrorCodes      = 128
	errorCodeScan      = 31 // bytes of the message (after the '-') searched for the code's end
	errorStatsDisabled = "ERRORSTATS_DISABLED"
)

// errorCode is the code errorstats files msg under; CR and LF count as spaces, as the
// reply writer turns them into spaces.
func errorCode(msg string) string {
	if i := strings.IndexAny(msg[:min(len(msg), errorCodeScan)], " \r\n"); i >= 0 {
		return msg[:i]
	}
	return "ERR"
}

// count records an error reply with message msg (without the '-'); warn logs.
func (e *errorStats) count(msg string, warn func(format string, args ...any)) {
	code := errorCode(msg)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.total++
	if e.disabled {
		return
	}
	if _, ok := e.byCode[code]; !ok && len(e.byCode) >= maxErrorCodes {
		warn("Errorstats stopped adding new errors because the number of errors reached the limit, " +
			"may be misuse of lua error_reply, please check INFO ERRORSTATS, this can be re-enabled via CONFIG RESETSTAT.")
		warn("Current errors code list: %s", strings.Join(e.codes(), ", "))
		e.byCode = map[string]int64{errorStatsDisabled: 1}
		e.disabled = true
		return
	}
	e.byCode[code]++
}

// codes lists the codes in byte order; the caller holds mu.
func (e *errorStats) codes() []string {
	codes := make([]string, 0, len(e.byCode))
	for code := range e.byCode {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	return codes
}

// totalReplies is total_error_replies.
func (e *errorStats) totalReplies() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.total
}

// render writes the errorstats section. ':' and '#' cannot appear in an INFO field
// name, so they show as '_'.
func (e *errorStats) render(b *strings.Builder) {
	e.mu.Lock()
	defer e.mu.Unlock()
	safe := strings.NewReplacer(":", "_", "#", "_")
	for _, code := range e.codes() {
		fmt.Fprintf(b, "errorstat_%s:count=%d\r\n", safe.Replace(code), e.byCode[code])
	}
}

// reset is CONFIG RESETSTAT's part: it also lifts the limit.
func (e *errorStats) reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.total, e.byCode, e.disabled = 0, map[string]int64{}, false
}
