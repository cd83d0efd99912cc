const MIN_SECRET_LENGTH = 4;

/**
 * Scrubs known secret values (API keys, TSIG secrets) from text before it is
 * logged or returned. A second line of defence: plugins must not put secrets
 * in messages, but a backend's error text might echo one.
 */
export class SecretRedactor {
  private readonly secrets = new Set<string>();

  add(secret: string): void {
    // Very short values would blank out ordinary words; they are not secrets worth the name.
    if (secret.length >= MIN_SECRET_LENGTH) this.secrets.add(secret);
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) {
      if (result.includes(secret)) result = result.split(secret).join('[REDACTED]');
    }
    return result;
  }
}
