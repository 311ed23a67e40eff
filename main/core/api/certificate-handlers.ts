import type { Database } from 'better-sqlite3';
import type { EventHub } from '../events/event-hub';
import { getCertificateRow, listCertificates, toCertificateRecord } from '../issuance/certificates.repo';
import type { IssuanceEngine } from '../issuance/issuance-engine';
import { caChain, getCaRow } from '../ca/cas.repo';
import { toPem } from '../pki/pem';
import type { Handlers } from './dispatcher';

type CertificateCalls = 'certificates.issue' | 'certificates.list' | 'certificates.get';

export function certificateHandlers(
  db: Database,
  hub: EventHub,
  engine: IssuanceEngine,
): Pick<Handlers, CertificateCalls> {
  return {
    'certificates.issue': async (input, ctx) => {
      const issued = await engine.issue(
        {
          policyId: input.policyId,
          ...(input.csrPem === undefined ? {} : { csr: Buffer.from(input.csrPem, 'utf8') }),
          ...(input.publicKeyPem === undefined ? {} : { publicKey: Buffer.from(input.publicKeyPem, 'utf8') }),
          ...(input.deviceId === undefined ? {} : { deviceId: input.deviceId }),
          attributes: input.attributes,
        },
        ctx,
      );
      hub.emit('certificates.issued', { ids: [issued.certificate.id] });
      return issued.certificate;
    },
    'certificates.list': (input) => listCertificates(db, input),
    'certificates.get': (input) => {
      const row = getCertificateRow(db, input.id);
      const chain = caChain(getCaRow(db, row.ca_id, 'get-certificate'));
      return {
        ...toCertificateRecord(row, row.policy_name),
        pem: toPem('CERTIFICATE', row.der),
        chainPem: chain.map((c) => toPem('CERTIFICATE', c.der)).join(''),
      };
    },
  };
}
