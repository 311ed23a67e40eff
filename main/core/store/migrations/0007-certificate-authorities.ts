import type { Migration } from './migration';

export const certificateAuthorities: Migration = {
  version: 7,
  name: 'certificate-authorities',
  up(db) {
    db.exec(`
      CREATE TABLE certificate_authorities (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        kind TEXT NOT NULL CHECK (kind IN ('issuing', 'trust-anchor')),
        -- The key in the key store, by CKA_ID; NULL for trust anchors, whose keys are elsewhere.
        key_id TEXT,
        key_label TEXT,
        key_algorithm TEXT,
        subject TEXT NOT NULL,
        csr_der BLOB,
        certificate_der BLOB,
        -- The issuers above this CA's certificate, leaf-most first, as concatenated DER.
        issuers_der BLOB,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        CHECK (kind = 'trust-anchor' OR key_id IS NOT NULL),
        CHECK (kind = 'issuing' OR certificate_der IS NOT NULL)
      ) STRICT;
    `);
  },
};
