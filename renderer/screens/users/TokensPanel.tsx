import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiToken, CallOutput } from '../../../preload/contract';
import { client } from '../../api/client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { useErrorText } from '../../components/use-error-text';
import { useNotices } from '../../state/notice-store';
import { useUsers } from '../../state/users-store';
import { CreateTokenDialog } from './CreateTokenDialog';
import { useTimestampText } from './format';
import { TokenSecretDialog } from './TokenSecretDialog';

type Editing =
  | { kind: 'create' }
  | { kind: 'secret'; created: CallOutput<'tokens.create'> }
  | { kind: 'revoke'; token: ApiToken }
  | null;

function TokenStatus({ token }: { token: ApiToken }) {
  const { t } = useTranslation();
  const timestamp = useTimestampText();
  if (token.revokedAt)
    return (
      <span className="badge status-Disabled" data-testid="token-status" data-status="revoked">
        {t('users.tokens.revoked', { when: timestamp(token.revokedAt) })}
      </span>
    );
  if (token.expiresAt && Date.parse(token.expiresAt) <= Date.now())
    return (
      <span className="badge badge-warn" data-testid="token-status" data-status="expired">
        {t('users.tokens.expired')}
      </span>
    );
  return (
    <span className="badge status-Enabled" data-testid="token-status" data-status="active">
      {t('users.tokens.active')}
    </span>
  );
}

function TokenRow({ token, onRevoke }: { token: ApiToken; onRevoke: () => void }) {
  const { t } = useTranslation();
  const timestamp = useTimestampText();
  return (
    <tr data-testid="token-row" data-token={token.name}>
      <td>{token.name}</td>
      <td className="mono" data-testid="token-prefix">
        {token.prefix}…
      </td>
      <td>
        {token.username}
        {token.userKind === 'service' ? ` (${t('users.list.kinds.service')})` : null}
      </td>
      <td>{timestamp(token.createdAt)}</td>
      <td>{token.expiresAt ? timestamp(token.expiresAt) : t('users.tokens.noExpiry')}</td>
      <td>{timestamp(token.lastUsedAt)}</td>
      <td>
        <TokenStatus token={token} />
      </td>
      <td>
        {token.revokedAt ? null : (
          <div className="row-actions">
            <button type="button" className="danger" onClick={onRevoke} data-testid="revoke-token">
              {t('users.tokens.revoke')}
            </button>
          </div>
        )}
      </td>
    </tr>
  );
}

/** API tokens for scripts and systems: created here, shown once, revoked by hand. */
export function TokensPanel({ canManageUsers }: { canManageUsers: boolean }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const show = useNotices((s) => s.show);
  const { tokens, tokensLoaded, loadTokens } = useUsers();
  const [editing, setEditing] = useState<Editing>(null);

  const revoke = async (token: ApiToken) => {
    setEditing(null);
    const result = await client().call('tokens.revoke', { id: token.id });
    if (!result.ok) return show('error', errorText(result.error));
    show('success', t('users.tokens.revokedNotice', { name: token.name }));
    void loadTokens();
  };

  return (
    <div className="panel">
      <div className="panel-header">
        <h2 id="tokens-title">{t('users.tokens.tableLabel')}</h2>
        <button
          type="button"
          className="primary"
          onClick={() => setEditing({ kind: 'create' })}
          data-testid="create-token"
        >
          {t('users.tokens.createToken')}
        </button>
      </div>
      {!tokensLoaded ? (
        <p className="help">{t('common.loading')}</p>
      ) : tokens.length === 0 ? (
        <p className="empty-state">{t('users.tokens.empty')}</p>
      ) : (
        <table className="data-table" aria-labelledby="tokens-title" data-testid="tokens-table">
          <thead>
            <tr>
              <th scope="col">{t('users.tokens.colName')}</th>
              <th scope="col">{t('users.tokens.colPrefix')}</th>
              <th scope="col">{t('users.tokens.colOwner')}</th>
              <th scope="col">{t('users.tokens.colCreated')}</th>
              <th scope="col">{t('users.tokens.colExpires')}</th>
              <th scope="col">{t('users.tokens.colLastUsed')}</th>
              <th scope="col">{t('users.tokens.colStatus')}</th>
              <th scope="col">{t('users.tokens.colActions')}</th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <TokenRow key={token.id} token={token} onRevoke={() => setEditing({ kind: 'revoke', token })} />
            ))}
          </tbody>
        </table>
      )}
      {editing?.kind === 'create' ? (
        <CreateTokenDialog
          forServiceUsers={canManageUsers}
          onClose={() => setEditing(null)}
          onCreated={(created) => {
            setEditing({ kind: 'secret', created });
            void loadTokens();
          }}
        />
      ) : null}
      {editing?.kind === 'secret' ? (
        <TokenSecretDialog
          name={editing.created.token.name}
          secret={editing.created.secret}
          onClose={() => setEditing(null)}
        />
      ) : null}
      <ConfirmDialog
        open={editing?.kind === 'revoke'}
        title={t('users.tokens.confirmRevokeTitle')}
        message={
          editing?.kind === 'revoke'
            ? t('users.tokens.confirmRevoke', { name: editing.token.name, prefix: editing.token.prefix })
            : ''
        }
        confirmLabel={t('users.tokens.revoke')}
        onCancel={() => setEditing(null)}
        onConfirm={() => {
          if (editing?.kind === 'revoke') void revoke(editing.token);
        }}
      />
    </div>
  );
}
