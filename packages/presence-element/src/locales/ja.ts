// Japanese. `import '@whatsup/presence/locales/ja.js'` before the panel renders.
import { addMessages } from '../localize.js';
import type { MessagePack } from '../messages-pack.js';

export const ja: MessagePack = {
  loading: '読み込み中…',
  signUpTitle: '参加して、いま何をしているかみんなに伝えましょう',
  nameLabel: '表示名',
  statusLabel: 'ステータス',
  statusPlaceholder: 'いま何をしていますか？',
  join: '参加',
  joining: '参加中…',
  identifyRequired: 'オンラインのメンバーを見るには、このサイトにログインしてください。',
  sessionEnded: 'セッションが終了しました。もう一度参加してください。',
  you: '（あなた）',
  editStatusHint: 'クリックまたは Enter でステータスを編集',
  editorHint: 'Enter で保存、Esc で取り消し',
  emptyStatus: 'ステータスを設定',
  signOut: 'ログアウト',
  membersLabel: 'オンライン',
  nobodyElse: 'ほかにはまだ誰もいません。',
  reconnecting: '再接続中…',
  offline: 'オフライン — 再試行しています…',
  dismiss: '閉じる',
  announcementLabel: 'お知らせ',
  statusRefused: 'ステータスは保存されませんでした：',
  notSignedIn: '先にログインしてください。',
  updated: (relative) => `${relative}に更新`,
  counter: (length, max) => `${length}/${max}`,
  joined: (name) => `${name} さんが参加しました`,
  left: (name) => `${name} さんが退出しました`,
  statusChanged: (name, status) => `${name}：${status}`,
  online: (count) => `${count} 人がオンライン`,
  more: (count) => `ほか ${count} 件`,
  showAll: (count) => `オンラインの ${count} 人をすべて表示`,
  connectionRefused: (reason) => `リアルタイムサーバーが接続を拒否しました：${reason}`,
  subscriptionFailed: 'チャンネルに参加できませんでした。',
  genericError: '問題が発生しました。もう一度お試しください。',
  find: '名前で探す',
  noMatch: 'その名前のオンラインの人はいません。',
};

addMessages('ja', ja);
