import { useTranslation } from 'react-i18next';

export function NotBuiltScreen({ area }: { area: string }) {
  const { t } = useTranslation();
  return (
    <section className="screen" aria-labelledby="not-built-title" data-testid="not-built">
      <h1 id="not-built-title">{t('notBuilt.title', { area })}</h1>
      <p className="empty-state">{t('notBuilt.body')}</p>
    </section>
  );
}
