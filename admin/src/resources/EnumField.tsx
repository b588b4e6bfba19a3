import { Chip } from '@mui/material';
import { useLocaleState, useRecordContext, useTranslate } from 'react-admin';

/** A coded value (status, kind, type) in the console's language: `enums.<group>.<value>`, else the code itself. */
export function EnumField({
  source,
  group,
  chip,
}: {
  source: string;
  group: string;
  chip?: boolean;
  label?: string;
}) {
  const record = useRecordContext();
  const translate = useTranslate();
  const v = record?.[source];
  if (v === undefined || v === null || v === '') return <span>—</span>;
  const text = translate(`enums.${group}.${String(v)}`, { _: String(v) });
  return chip ? <Chip size="small" label={text} /> : <span>{text}</span>;
}

/** A record's name in the console's language where the api gives both (`nameZh` and `name`, e.g. categories). */
export function useLocalName(): (r: { name?: unknown; nameZh?: unknown; id?: unknown }) => string {
  const [locale] = useLocaleState();
  return (r) => String((locale.startsWith('zh') ? (r.nameZh ?? r.name) : (r.name ?? r.nameZh)) ?? r.id ?? '');
}

/** The name of the referenced record in the console's language (inside a ReferenceField). */
export function LocalNameField(_: { label?: string }) {
  const record = useRecordContext();
  const name = useLocalName();
  return <span>{record ? name(record) : '—'}</span>;
}
