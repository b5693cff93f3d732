package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
)

// TLS, as Redis 7.0 offers it: clients connect to tls-port (on every bind address)
// with the certificate in tls-cert-file and tls-key-file (the key possibly encrypted
// with tls-key-file-pass); tls-auth-clients asks them for a certificate signed by
// tls-ca-cert-file or a certificate in tls-ca-cert-dir (yes: required, optional: checked
// when given, no: not asked); tls-protocols bounds the versions; tls-session-caching
// turns session resumption on or off. With tls-port set, port 0 means no plain-text
// listener, as in Redis (without tls-port, port 0 keeps meaning a free port).
//
// The settings are read again on CONFIG SET of any tls-* setting, and new connections
// get the new configuration; one that does not load leaves the old one in force and is
// logged (Redis refuses the CONFIG SET instead). Not applied: tls-ciphers and
// tls-ciphersuites (OpenSSL's cipher lists; Go chooses among its own safe suites),
// tls-prefer-server-ciphers and tls-dh-params-file (Go offers no DHE), tls-cluster.
//
// With tls-replication yes a replica reaches its master over TLS too (tlsDial): it
// presents tls-client-cert-file (or tls-cert-file) and checks the master's certificate
// against the CA settings, not its name, as Redis's OpenSSL setup does.
//
// The encrypted connections keep the request parser and the replies of the plain ones;
// their reads and writes go through crypto/tls rather than the raw socket calls.

// tlsState holds the configuration new TLS connections get.
type tlsState struct {
	cur atomic.Pointer[tls.Config]
}

// loadTLS builds the TLS configuration from the tls-* settings.
func (s *Server) loadTLS() (*tls.Config, error) {
	certFile, keyFile := s.cfg.String("tls-cert-file"), s.cfg.String("tls-key-file")
	if certFile == "" {
		return nil, errors.New("No tls-cert-file configured!")
	}
	if keyFile == "" {
		return nil, errors.New("No tls-key-file configured!")
	}
	cert, err := loadKeyPair(certFile, keyFile, s.cfg.String("tls-key-file-pass"))
	if err != nil {
		return nil, err
	}
	conf := &tls.Config{
		Certificates:           []tls.Certificate{cert},
		SessionTicketsDisabled: !s.cfg.Bool("tls-session-caching"),
		MinVersion:             tls.VersionTLS12,
		MaxVersion:             tls.VersionTLS13,
	}
	if p := s.cfg.String("tls-protocols"); p != "" {
		if conf.MinVersion, conf.MaxVersion, err = tlsVersions(p); err != nil {
			return nil, err
		}
	}
	caFile, caDir := s.cfg.String("tls-ca-cert-file"), s.cfg.String("tls-ca-cert-dir")
	switch s.cfg.String("tls-auth-clients") {
	case "yes":
		conf.ClientAuth = tls.RequireAndVerifyClientCert
	case "optional":
		conf.ClientAuth = tls.VerifyClientCertIfGiven
	}
	if caFile == "" && caDir == "" {
		if conf.ClientAuth != tls.NoClientCert {
			return nil, errors.New("Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!")
		}
		return conf, nil
	}
	if conf.ClientCAs, err = loadCAs(caFile, caDir); err != nil {
		return nil, err
	}
	return conf, nil
}

// loadKeyPair reads a certificate and its key, decrypting a key encrypted with pass
// (PEM encryption, as OpenSSL's traditional format writes it).
func loadKeyPair(certFile, keyFile, pass string) (tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("Failed to load certificate: %s: %w", certFile, err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("Failed to load private key: %s: %w", keyFile, err)
	}
	if block, _ := pem.Decode(keyPEM); block != nil && x509.IsEncryptedPEMBlock(block) { // OpenSSL's traditional encrypted keys (deprecated in Go, still what Redis reads)
		der, err := x509.DecryptPEMBlock(block, []byte(pass))
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("Failed to load private key: %s: %w", keyFile, err)
		}
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: der})
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("Failed to load certificate and key: %s, %s: %w", certFile, keyFile, err)
	}
	return cert, nil
}

// loadCAs reads the certificates that sign client certificates: a PEM file and/or
// every PEM file of a directory.
func loadCAs(file, dir string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	var files []string
	if file != "" {
		files = append(files, file)
	}
	if dir != "" {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("Failed to configure CA certificate(s) file/directory: %w", err)
		}
		for _, e := range entries {
			if !e.IsDir() {
				files = append(files, filepath.Join(dir, e.Name()))
			}
		}
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("Failed to configure CA certificate(s) file/directory: %w", err)
		}
		if !pool.AppendCertsFromPEM(b) && f == file {
			return nil, fmt.Errorf("Failed to configure CA certificate(s) file/directory: no certificate in %s", f)
		}
	}
	return pool, nil
}

// tlsVersions reads tls-protocols ("TLSv1.2 TLSv1.3") as the lowest and highest
// version allowed.
func tlsVersions(list string) (lo, hi uint16, err error) {
	versions := map[string]uint16{"tlsv1": tls.VersionTLS10, "tlsv1.1": tls.VersionTLS11, "tlsv1.2": tls.VersionTLS12, "tlsv1.3": tls.VersionTLS13}
	for _, p := range strings.Fields(list) {
		v, ok := versions[strings.ToLower(p)]
		if !ok {
			return 0, 0, errors.New("Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.")
		}
		if lo == 0 || v < lo {
			lo = v
		}
		hi = max(hi, v)
	}
	if lo == 0 {
		return 0, 0, errors.New("Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.")
	}
	return lo, hi, nil
}

// tlsDial turns a replica's connection to its master into a TLS one.
func (s *Server) tlsDial(ctx context.Context, nc net.Conn) (net.Conn, error) {
	certFile, keyFile, pass := s.cfg.String("tls-client-cert-file"), s.cfg.String("tls-client-key-file"), s.cfg.String("tls-client-key-file-pass")
	if certFile == "" {
		certFile, keyFile, pass = s.cfg.String("tls-cert-file"), s.cfg.String("tls-key-file"), s.cfg.String("tls-key-file-pass")
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: true} // the chain is checked below, the name is not
	if certFile != "" {
		cert, err := loadKeyPair(certFile, keyFile, pass)
		if err != nil {
			nc.Close()
			return nil, err
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	caFile, caDir := s.cfg.String("tls-ca-cert-file"), s.cfg.String("tls-ca-cert-dir")
	if caFile == "" && caDir == "" {
		nc.Close()
		return nil, errors.New("Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!")
	}
	roots, err := loadCAs(caFile, caDir)
	if err != nil {
		nc.Close()
		return nil, err
	}
	conf.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
		certs := make([]*x509.Certificate, len(raw))
		for i, der := range raw {
			if certs[i], err = x509.ParseCertificate(der); err != nil {
				return err
			}
		}
		if len(certs) == 0 {
			return errors.New("the master presented no certificate")
		}
		inter := x509.NewCertPool()
		for _, c := range certs[1:] {
			inter.AddCert(c)
		}
		_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		return err
	}
	tc := tls.Client(nc, conf)
	if err := tc.HandshakeContext(ctx); err != nil {
		tc.Close()
		return nil, err
	}
	return tc, nil
}

// tlsListener wraps ln so that its connections speak TLS under the configuration in
// force when each arrives.
func (s *Server) tlsListener(ln net.Listener) net.Listener {
	return tls.NewListener(ln, &tls.Config{
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) { return s.tls.cur.Load(), nil },
	})
}

// reloadTLS applies changed tls-* settings to the connections that come next.
func (s *Server) reloadTLS(name string) {
	if !strings.HasPrefix(name, "tls-") || s.tls.cur.Load() == nil {
		return
	}
	conf, err := s.loadTLS()
	if err != nil {
		s.log.warning("Failed to update the TLS configuration, the old one stays: %v", err)
		return
	}
	s.tls.cur.Store(conf)
}
