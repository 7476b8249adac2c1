// Simplified Chinese. `import '@whatsup/presence/locales/zh-Hans.js'` before the panel renders.
import { addMessages } from '../localize.js';
import type { MessagePack } from '../messages-pack.js';

export const zhHans: MessagePack = {
  loading: '加载中…',
  signUpTitle: '加入：告诉大家你在做什么',
  nameLabel: '显示名称',
  statusLabel: '状态',
  statusPlaceholder: '你在做什么？',
  join: '加入',
  joining: '正在加入…',
  identifyRequired: '请在本网站登录以查看谁在线。',
  sessionEnded: '你的会话已结束，请重新加入。',
  you: '（你）',
  editStatusHint: '点击或按 Enter 编辑你的状态',
  editorHint: 'Enter 保存，Esc 取消',
  emptyStatus: '设置状态',
  signOut: '退出',
  membersLabel: '当前在线',
  nobodyElse: '还没有其他人。',
  reconnecting: '正在重新连接…',
  offline: '已离线，正在重试…',
  dismiss: '关闭',
  announcementLabel: '公告',
  statusRefused: '你的状态未保存：',
  notSignedIn: '请先登录。',
  updated: (relative) => `更新于${relative}`,
  counter: (length, max) => `${length}/${max}`,
  joined: (name) => `${name} 加入了`,
  left: (name) => `${name} 离开了`,
  statusChanged: (name, status) => `${name}：${status}`,
  online: (count) => `${count} 人在线`,
  more: (count) => `还有 ${count} 条`,
  showAll: (count) => `查看全部 ${count} 位在线成员`,
  connectionRefused: (reason) => `实时服务器拒绝了连接：${reason}`,
  subscriptionFailed: '无法加入频道。',
  genericError: '出了点问题，请重试。',
  find: '查找成员',
  noMatch: '没有这个名字的在线成员。',
};

addMessages('zh-Hans', zhHans);
addMessages('zh', zhHans);
