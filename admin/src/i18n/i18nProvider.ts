import polyglotI18nProvider from 'ra-i18n-polyglot';
import type { TranslationMessages } from 'react-admin';
import englishMessages from 'ra-language-english';
import chineseMessages from '@haxqer/ra-language-chinese';
import { mergeMessages } from '../lib/messages';
import { en } from './en';
import { zh } from './zh';

export const LOCALES = [
  { locale: 'zh-CN', name: '中文' },
  { locale: 'en', name: 'English' },
];

// react-admin 5 added a few keys the Chinese pack (written for v4) lacks: they fall back to English.
const messages: Record<string, TranslationMessages> = {
  'zh-CN': mergeMessages(englishMessages, chineseMessages, zh) as TranslationMessages,
  en: mergeMessages(englishMessages, en) as TranslationMessages,
};

export const i18nProvider = polyglotI18nProvider(
  (locale) => messages[locale] ?? messages['zh-CN'],
  'zh-CN',
  LOCALES,
  {
    allowMissing: true,
  },
);
