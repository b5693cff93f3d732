package compat

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/cinnabar-db/cinnabar/cinnabartest"
)

// testPKI is a certificate authority with a server and a client certificate, written
// as PEM files, plus a client certificate from another authority.
type testPKI struct {
	dir                           string
	caFile, serverCert, serverKey string
	clientCert, clientKey         string
	strangerCert, strangerKey     string
	encryptedKey                  string // serverKey encrypted with "s3cret"
	caPool                        *x509.CertPool
	client, stranger              tls.Certificate
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	p := &testPKI{dir: t.TempDir()}
	ca, caKey := p.issue(t, "ca", nil, nil, true)
	p.caFile = p.write(t, "ca.crt", "CERTIFICATE", ca.Raw)
	p.caPool = x509.NewCertPool()
	p.caPool.AddCert(ca)
	p.serverCert, p.serverKey = p.leaf(t, "server", ca, caKey)
	p.clientCert, p.clientKey = p.leaf(t, "client", ca, caKey)
	other, otherKey := p.issue(t, "other-ca", nil, nil, true)
	p.strangerCert, p.strangerKey = p.leaf(t, "stranger", other, otherKey)
	var err error
	p.client, err = tls.LoadX509KeyPair(p.clientCert, p.clientKey)
	require.NoError(t, err)
	p.stranger, err = tls.LoadX509KeyPair(p.strangerCert, p.strangerKey)
	require.NoError(t, err)

	keyPEM, err := os.ReadFile(p.serverKey)
	require.NoError(t, err)
	block, _ := pem.Decode(keyPEM)
	enc, err := x509.EncryptPEMBlock(rand.Reader, block.Type, block.Bytes, []byte("s3cret"), x509.PEMCipherAES256) //nolint:staticcheck // OpenSSL's traditional format, as Redis reads it
	require.NoError(t, err)
	p.encryptedKey = filepath.Join(p.dir, "server-enc.key")
	require.NoError(t, os.WriteFile(p.encryptedKey, pem.EncodeToMemory(enc), 0o600))
	return p
}

// issue makes a certificate for name, signed by parent (self-signed when nil).
func (p *testPKI) issue(t *testing.T, name string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, isCA bool) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		IsCA:         isCA, BasicConstraintsValid: true,
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return cert, key
}

// leaf issues name's certificate under ca and writes it and its key.
func (p *testPKI) leaf(t *testing.T, name string, ca *x509.Certificate, caKey *ecdsa.PrivateKey) (certFile, keyFile string) {
	cert, key := p.issue(t, name, ca, caKey, false)
	der, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	return p.write(t, name+".crt", "CERTIFICATE", cert.Raw), p.write(t, name+".key", "EC PRIVATE KEY", der)
}

func (p *testPKI) write(t *testing.T, name, typ string, der []byte) string {
	f := filepath.Join(p.dir, name)
	require.NoError(t, os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600))
	return f
}

// options are the server settings for TLS on tlsPort with client certificates as auth says.
func (p *testPKI) options(tlsPort int, auth string) []cinnabartest.Option {
	return []cinnabartest.Option{
		cinnabartest.WithConfig("tls-port", strconv.Itoa(tlsPort)),
		cinnabartest.WithConfig("tls-cert-file", p.serverCert),
		cinnabartest.WithConfig("tls-key-file", p.serverKey),
		cinnabartest.WithConfig("tls-ca-cert-file", p.caFile),
		cinnabartest.WithConfig("tls-auth-clients", auth),
	}
}

// tlsClient returns a go-redis client for addr trusting the test CA, presenting cert
// when it is not nil.
func (p *testPKI) tlsClient(t *testing.T, addr string, cert *tls.Certificate) *redis.Client {
	conf := &tls.Config{RootCAs: p.caPool, ServerName: "127.0.0.1"}
	if cert != nil { // sent even when the server asks for another CA's
		conf.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	}
	c := redis.NewClient(&redis.Options{Addr: addr, TLSConfig: conf, MaxRetries: -1, DialTimeout: 2 * time.Second})
	t.Cleanup(func() { c.Close() })
	return c
}

func TestTLS(t *testing.T) {
	ctx := context.Background()
	p := newTestPKI(t)

	t.Run("TLS only, client certificates required", func(t *testing.T) {
		tlsPort := freePort(t)
		srv := startServer(t, p.options(tlsPort, "yes")...)
		require.Zero(t, srv.Port()) // port 0 with tls-port: no plain-text listener
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(tlsPort))
		rdb := p.tlsClient(t, addr, &p.client)
		require.NoError(t, rdb.Set(ctx, "k", "v", 0).Err())
		require.Equal(t, "v", rdb.Get(ctx, "k").Val())
		pipe := rdb.Pipeline()
		for i := range 100 {
			pipe.Incr(ctx, "n"+strconv.Itoa(i%3))
		}
		_, err := pipe.Exec(ctx)
		require.NoError(t, err)
		require.Equal(t, "34", rdb.Get(ctx, "n0").Val())

		// Pub/sub replies go out from another goroutine: through TLS too.
		sub := p.tlsClient(t, addr, &p.client).Subscribe(ctx, "ch")
		t.Cleanup(func() { sub.Close() })
		_, err = sub.Receive(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(1), rdb.Publish(ctx, "ch", "hello").Val())
		msg, err := sub.ReceiveMessage(ctx)
		require.NoError(t, err)
		require.Equal(t, "hello", msg.Payload)

		require.Error(t, p.tlsClient(t, addr, nil).Ping(ctx).Err(), "no client certificate")
		require.Error(t, p.tlsClient(t, addr, &p.stranger).Ping(ctx).Err(), "a certificate from another CA")
		plain := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, ReadTimeout: 2 * time.Second})
		t.Cleanup(func() { plain.Close() })
		require.Error(t, plain.Ping(ctx).Err(), "plain text on the TLS port")
		require.Equal(t, "v", rdb.Get(ctx, "k").Val(), "the server still serves")
	})

	t.Run("plain and TLS side by side, optional certificates", func(t *testing.T) {
		tlsPort := freePort(t)
		opts := append(p.options(tlsPort, "optional"), cinnabartest.WithConfig("port", strconv.Itoa(freePort(t))))
		srv := startServer(t, opts...)
		require.NotZero(t, srv.Port())
		plain := newClient(t, srv.Addr(), 3)
		require.NoError(t, plain.Set(ctx, "shared", "1", 0).Err())
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(tlsPort))
		require.Equal(t, "1", p.tlsClient(t, addr, nil).Get(ctx, "shared").Val())
		require.Equal(t, "1", p.tlsClient(t, addr, &p.client).Get(ctx, "shared").Val())
		require.Error(t, p.tlsClient(t, addr, &p.stranger).Ping(ctx).Err(), "a certificate given is checked")
	})

	t.Run("encrypted key, versions, reload", func(t *testing.T) {
		tlsPort := freePort(t)
		opts := append(p.options(tlsPort, "no"),
			cinnabartest.WithConfig("tls-key-file", p.encryptedKey),
			cinnabartest.WithConfig("tls-key-file-pass", "s3cret"),
			cinnabartest.WithConfig("tls-protocols", "TLSv1.3"))
		srv := startServer(t, opts...)
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(tlsPort))
		rdb := p.tlsClient(t, addr, nil)
		require.NoError(t, rdb.Ping(ctx).Err())
		old := &tls.Config{RootCAs: p.caPool, MaxVersion: tls.VersionTLS12}
		conn, err := tls.Dial("tcp", addr, old)
		if err == nil {
			err = conn.Handshake()
			conn.Close()
		}
		require.Error(t, err, "TLS 1.2 refused under tls-protocols TLSv1.3")

		// A new certificate applies to the connections that follow.
		admin := p.tlsClient(t, addr, nil)
		require.NoError(t, admin.ConfigSet(ctx, "tls-protocols", "TLSv1.2 TLSv1.3").Err())
		conn, err = tls.Dial("tcp", addr, old)
		require.NoError(t, err)
		conn.Close()
		require.NoError(t, admin.ConfigSet(ctx, "tls-cert-file", p.strangerCert).Err())
		require.NoError(t, admin.ConfigSet(ctx, "tls-key-file", p.strangerKey).Err())
		require.Error(t, p.tlsClient(t, addr, nil).Ping(ctx).Err(), "the new certificate is not from the trusted CA")
		require.NoError(t, rdb.Ping(ctx).Err(), "open connections stay")
		_ = srv
	})

	t.Run("bad settings stop the start", func(t *testing.T) {
		tlsPort := freePort(t)
		for _, c := range []struct {
			opts []cinnabartest.Option
			want string
		}{
			{[]cinnabartest.Option{cinnabartest.WithConfig("tls-port", strconv.Itoa(tlsPort))}, "No tls-cert-file configured!"},
			{append(p.options(tlsPort, "yes"), cinnabartest.WithConfig("tls-ca-cert-file", "")), "Either tls-ca-cert-file or tls-ca-cert-dir must be specified"},
			{append(p.options(tlsPort, "no"), cinnabartest.WithConfig("tls-key-file", p.encryptedKey)), "Failed to load private key"},
			{append(p.options(tlsPort, "no"), cinnabartest.WithConfig("tls-protocols", "SSLv3")), "Invalid tls-protocols specified"},
		} {
			_, err := cinnabartest.New(c.opts...)
			require.ErrorContains(t, err, c.want)
		}
	})
}

// TestTLSReplication: with tls-replication yes a replica reaches a TLS-only master that
// asks for client certificates, and follows it.
func TestTLSReplication(t *testing.T) {
	ctx := context.Background()
	p := newTestPKI(t)
	tlsPort := freePort(t)
	master := startServer(t, p.options(tlsPort, "yes")...)
	_ = master
	masterAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(tlsPort))
	m := p.tlsClient(t, masterAddr, &p.client)
	require.NoError(t, m.Set(ctx, "before", "1", 0).Err())

	replica := startServer(t,
		cinnabartest.WithConfig("tls-replication", "yes"),
		cinnabartest.WithConfig("tls-cert-file", p.clientCert),
		cinnabartest.WithConfig("tls-key-file", p.clientKey),
		cinnabartest.WithConfig("tls-ca-cert-file", p.caFile),
		cinnabartest.WithConfig("replicaof", "127.0.0.1", strconv.Itoa(tlsPort)))
	r := newClient(t, replica.Addr(), 2)
	require.Eventually(t, func() bool {
		return strings.Contains(r.Info(ctx, "replication").Val(), "master_link_status:up")
	}, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, m.Set(ctx, "after", "2", 0).Err())
	require.Eventually(t, func() bool { return r.Get(ctx, "after").Val() == "2" }, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, "1", r.Get(ctx, "before").Val())

	// Without a certificate the master accepts, the link stays down.
	stranger := startServer(t,
		cinnabartest.WithConfig("tls-replication", "yes"),
		cinnabartest.WithConfig("tls-cert-file", p.strangerCert),
		cinnabartest.WithConfig("tls-key-file", p.strangerKey),
		cinnabartest.WithConfig("tls-ca-cert-file", p.caFile),
		cinnabartest.WithConfig("replicaof", "127.0.0.1", strconv.Itoa(tlsPort)))
	time.Sleep(300 * time.Millisecond)
	require.Contains(t, newClient(t, stranger.Addr(), 2).Info(ctx, "replication").Val(), "master_link_status:down")
}
