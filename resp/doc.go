// Package resp writes Redis protocol replies in RESP2 and RESP3.
//
// A Writer appends encoded frames to a byte buffer; the server hands that buffer to
// the network layer (redcon) once per command. RESP3-only shapes (maps, sets, doubles,
// booleans, nulls, push frames) degrade to their RESP2 equivalents when the Writer's
// Proto is 2, so handlers write one shape and never branch on the protocol.
//
// The package also holds Redis's canonical error texts and the number formatting rules
// Redis uses for integers and floating point replies. It imports nothing from the rest
// of the project.
package resp
