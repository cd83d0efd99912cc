import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import { Agent, buildConnector } from 'undici';

/** The TLS material of the plugin, as read from the option files. */
export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Problems with the TLS files that would make every connection fail, found
 * at boot: a CA file without a PEM certificate, a client certificate and key
 * that do not load or do not belong together. Messages name the variables
 * and OpenSSL's error code, never file contents.
 */
export function checkTlsMaterial(material: TlsMaterial, prefix: string): string[] {
  const problems: string[] = [];
  if (material.ca) {
    const blocks = material.ca.toString('latin1').match(PEM_CERTIFICATE) ?? [];
    if (blocks.length === 0) {
      problems.push(`${prefix}CA_FILE: holds no PEM certificate`);
    } else {
      try {
        for (const block of blocks) new X509Certificate(block);
      } catch (error) {
        problems.push(`${prefix}CA_FILE: a certificate in it cannot be read (${opensslCode(error)})`);
      }
    }
  }
  if (material.cert && material.key) {
    try {
      createSecureContext({ cert: material.cert, key: material.key });
    } catch (error) {
      const code = opensslCode(error);
      problems.push(
        code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH'
          ? `${prefix}CLIENT_CERT_FILE and ${prefix}CLIENT_KEY_FILE: the key and the certificate do not match`
          : `${prefix}CLIENT_CERT_FILE and ${prefix}CLIENT_KEY_FILE: not usable as a PEM certificate and its unencrypted key (${code})`,
      );
    }
  }
  return problems;
}

function opensslCode(error: unknown): string {
  return String((error as NodeJS.ErrnoException).code ?? 'error');
}

/**
 * An undici Agent with the plugin's TLS settings, and a way to tell what went
 * wrong in a TLS handshake. With TLS 1.3 a server that wants a client
 * certificate completes the handshake and then sends an alert; undici reports
 * that as "other side closed" and drops the alert. The connector here keeps
 * the last TLS error of each socket (by local port) so the client can say
 * what really happened.
 */
export class TlsTransport {
  readonly agent: Agent;
  private readonly socketErrors = new Map<number, Error>();

  constructor(material: TlsMaterial) {
    const base = buildConnector({
      ...(material.ca ? { ca: material.ca } : {}),
      ...(material.cert ? { cert: material.cert } : {}),
      ...(material.key ? { key: material.key } : {}),
      rejectUnauthorized: material.rejectUnauthorized,
    });
    const connector: buildConnector.connector = (options, callback) =>
      base(options, (error, socket) => {
        if (socket) this.watch(socket as Socket);
        // The overloads of the callback want the two cases apart.
        if (error) callback(error, null);
        else callback(null, socket!);
      });
    this.agent = new Agent({ connect: connector });
  }

  /** The TLS error behind an undici socket error, when the socket had one. */
  tlsErrorBehind(error: unknown): Error | undefined {
    const port = (error as { socket?: { localPort?: number } } | undefined)?.socket?.localPort;
    if (port === undefined) return undefined;
    const found = this.socketErrors.get(port);
    this.socketErrors.delete(port);
    return found;
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private watch(socket: Socket): void {
    const port = socket.localPort;
    if (port === undefined) return;
    const onError = (error: Error): void => {
      if (!isTlsError(error)) return;
      if (this.socketErrors.size >= 64) this.socketErrors.delete(this.socketErrors.keys().next().value!);
      this.socketErrors.set(port, error);
    };
    socket.on('error', onError);
    socket.once('close', () => {
      socket.off('error', onError);
      // Kept a moment for the request that failed on it, then forgotten.
      setTimeout(() => this.socketErrors.delete(port), 1_000).unref();
    });
  }
}

/** Certificate verification failures (Node's codes for OpenSSL's X509_V_ERR_*, and the host check). */
const VERIFY_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Alerts a server sends when it wants a client certificate, or does not accept the one it got. */
const CLIENT_CERT_ALERTS = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED',
  'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
]);

export type TlsFailureKind = 'untrusted' | 'client_certificate' | 'handshake';

export function isTlsError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (
    typeof code === 'string' && (VERIFY_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'))
  );
}

/**
 * What a TLS failure means for the operator, as one sentence naming the
 * option to look at; undefined when the error is not about TLS. Built from
 * the error code only (OpenSSL's messages are long and say nothing more).
 */
export function describeTlsFailure(
  error: unknown,
  endpoint: string,
  context: { hasClientCert: boolean; prefix: string },
): { kind: TlsFailureKind; message: string } | undefined {
  if (!isTlsError(error)) return undefined;
  const code = (error as NodeJS.ErrnoException).code!;
  const { prefix } = context;
  if (VERIFY_CODES.has(code)) {
    const why =
      code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH'
        ? 'it does not name the host of the URL'
        : code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID'
          ? 'it is outside its validity period'
          : 'no CA this client trusts signed it';
    return {
      kind: 'untrusted',
      message:
        `TLS: the certificate of PowerDNS at ${endpoint} is not trusted (${code}: ${why}); ` +
        `set ${prefix}CA_FILE to the CA that signs it (or ${prefix}SKIP_TLS_VERIFY=true, for testing only)`,
    };
  }
  if (CLIENT_CERT_ALERTS.has(code)) {
    return {
      kind: 'client_certificate',
      message: context.hasClientCert
        ? `TLS: PowerDNS at ${endpoint} (or the TLS proxy in front of it) did not accept the client certificate ` +
          `(${code}); check ${prefix}CLIENT_CERT_FILE and ${prefix}CLIENT_KEY_FILE against the CA it trusts`
        : `TLS: PowerDNS at ${endpoint} (or the TLS proxy in front of it) refused the connection: it requires a client certificate ` +
          `(${code}); set ${prefix}CLIENT_CERT_FILE and ${prefix}CLIENT_KEY_FILE`,
    };
  }
  return {
    kind: 'handshake',
    message:
      `TLS: the handshake with PowerDNS at ${endpoint} failed (${code}); ` +
      `check that it speaks https there and the TLS options (${prefix}CA_FILE, ${prefix}CLIENT_CERT_FILE)`,
  };
}
