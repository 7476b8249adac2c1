// Arabic (the panel lays out right to left). `import '@whatsup/presence/locales/ar.js'` before it renders.
import { addMessages } from '../localize.js';
import type { MessagePack } from '../messages-pack.js';

export const ar: MessagePack = {
  loading: 'جارٍ التحميل…',
  signUpTitle: 'انضم: أخبر الجميع بما تفعله',
  nameLabel: 'الاسم المعروض',
  statusLabel: 'الحالة',
  statusPlaceholder: 'ماذا تفعل الآن؟',
  join: 'انضمام',
  joining: 'جارٍ الانضمام…',
  identifyRequired: 'سجّل الدخول في هذا الموقع لترى من المتصل.',
  sessionEnded: 'انتهت جلستك — انضم مجددًا.',
  you: '(أنت)',
  editStatusHint: 'انقر أو اضغط Enter لتعديل حالتك',
  editorHint: 'Enter للحفظ، Escape للإلغاء',
  emptyStatus: 'اكتب حالة',
  signOut: 'تسجيل الخروج',
  membersLabel: 'متصل الآن',
  nobodyElse: 'لا أحد غيرك هنا بعد.',
  reconnecting: 'جارٍ إعادة الاتصال…',
  offline: 'غير متصل — جارٍ إعادة المحاولة…',
  dismiss: 'إغلاق',
  announcementLabel: 'إعلان',
  statusRefused: 'لم تُحفظ حالتك:',
  cantSaveRetrying: 'تعذّر الحفظ الآن — نعيد المحاولة…',
  notSignedIn: 'سجّل الدخول أولًا.',
  updated: (relative) => `حُدّثت ${relative}`,
  counter: (length, max) => `${length}/${max}`,
  joined: (name) => `انضم ${name}`,
  left: (name) => `غادر ${name}`,
  statusChanged: (name, status) => `${name}: ${status}`,
  // Intl.PluralRules('ar') has six categories: zero, one, two, few, many, other.
  online: (count, plural) =>
    plural === 'zero'
      ? 'لا أحد متصل'
      : plural === 'one'
        ? 'شخص واحد متصل'
        : plural === 'two'
          ? 'شخصان متصلان'
          : plural === 'few'
            ? `${count} أشخاص متصلون`
            : plural === 'many'
              ? `${count} شخصًا متصلًا`
              : `${count} شخص متصل`,
  more: (count) => `و${count} غيرها`,
  showAll: (count) => `عرض كل المتصلين (${count})`,
  connectionRefused: (reason) => `رفض خادم الوقت الفعلي الاتصال: ${reason}`,
  subscriptionFailed: 'تعذّر الانضمام إلى القناة.',
  genericError: 'حدث خطأ ما. حاول مرة أخرى.',
  find: 'ابحث عن شخص',
  noMatch: 'لا أحد متصل بهذا الاسم.',
  presenceAway: 'غائب',
  presenceAwaySince: (time) => `غائب منذ ${time}`,
  presenceDnd: 'عدم الإزعاج',
  presenceInvisible: 'مخفي',
  presenceLeftNow: 'غادر للتو',
  presenceLeft: (relative) => `غادر ${relative}`,
  presenceRecent: (count) => `كانوا هنا مؤخرًا (${count})`,
  until: (time) => `حتى ${time}`,
  untilMidnight: 'حتى منتصف الليل',
  connecting: 'جارٍ الاتصال…',
  unavailable: 'تعذّر عرض المتصلين الآن.',
  liveUnavailable: 'التحديثات المباشرة غير متاحة الآن.',
  cannotReach: 'تعذّر الوصول إلى خادم البث المباشر.',
  retrying: 'جارٍ إعادة المحاولة…',
  retryIn: (duration) => `المحاولة التالية بعد ${duration}.`,
  stale: (time) => `تُعرض قائمة المتصلين كما كانت عند ${time}.`,
  // The status editor.
  editorTitle: 'تعديل حالتك',
  editorEmoji: 'رمز تعبيري',
  editorPick: 'اختر رمزًا تعبيريًا',
  editorGroups: ['العمل', 'خارج المكتب', 'المزاج', 'أخرى'],
  editorPresets: 'اقتراحات',
  editorClearAfter: 'المسح بعد',
  editorClears: ['30 دقيقة', 'ساعة واحدة', '4 ساعات', 'اليوم', 'عدم المسح'],
  editorAvailability: 'التوفر',
  editorAvails: ['تلقائي', 'عدم الإزعاج', 'مخفي'],
  editorInvisible: 'مخفي — لا يراك الآخرون',
  editorSave: 'حفظ',
  editorCancel: 'إلغاء',
  editorNotSaved: 'لم يُحفظ:',
};

addMessages('ar', ar);
