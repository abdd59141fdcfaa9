// The demo world a fresh embedded Hearth starts with: people, communities, upcoming gatherings and
// published stories in several languages, so the app feels alive on first open. Plain data with
// symbolic keys; `seed.ts` turns it into rows (ids, times relative to now) in one transaction.

import type { StoryNode } from '@hearth/schema/stories/tree';

export const DEMO_LOGIN = { email: 'demo@hearth.local', password: 'hearth-demo' } as const;

export interface DemoUser {
  key: string;
  displayName: string;
  bio: string;
  locale: string;
  timeZone: string;
  siteRole?: 'moderator';
}

export const users: readonly DemoUser[] = [
  {
    key: 'amara',
    displayName: 'Amara Okafor',
    bio: 'Librarian by day, story-circle host by night. Collects the sayings of grandmothers.',
    locale: 'en',
    timeZone: 'Europe/London',
  },
  {
    key: 'lucia',
    displayName: 'Lucía Fernández',
    bio: 'Cocinera comunitaria. Cada receta es una historia de familia.',
    locale: 'es',
    timeZone: 'America/Mexico_City',
  },
  {
    key: 'kenji',
    displayName: '渡辺 健二 (Kenji Watanabe)',
    bio: 'Photographer and amateur archivist of Osaka street festivals.',
    locale: 'ja',
    timeZone: 'Asia/Tokyo',
  },
  {
    key: 'fatima',
    displayName: 'فاطمة السيد (Fatima Al-Sayed)',
    bio: 'Night-shift nurse and mother of two; runs a circle for parents who work while others sleep.',
    locale: 'ar',
    timeZone: 'Africa/Cairo',
  },
  {
    key: 'wanjiru',
    displayName: 'Wanjiru Kamau',
    bio: 'Fundi wa kutengeneza vitu. Hosts the Nairobi Makers Circle repair café.',
    locale: 'sw',
    timeZone: 'Africa/Nairobi',
  },
  {
    key: 'elodie',
    displayName: 'Élodie Martin',
    bio: 'Conteuse et crêpière, entre Lyon et Paris.',
    locale: 'fr',
    timeZone: 'Europe/Paris',
  },
  {
    key: 'ravi',
    displayName: 'Ravi Menon',
    bio: 'Records oral histories of Kerala fishing families.',
    locale: 'en',
    timeZone: 'Asia/Kolkata',
  },
  {
    key: 'sam',
    displayName: 'Sam Rivera',
    bio: 'Community moderator. Keeps the lights on and the conversations kind.',
    locale: 'en',
    timeZone: 'America/New_York',
    siteRole: 'moderator',
  },
];

/** The user behind DEMO_LOGIN. */
export const DEMO_USER_KEY = 'amara';

export interface DemoCommunity {
  key: string;
  slug: string;
  name: string;
  description: string;
  visibility: 'public' | 'private';
  joinPolicy: 'open' | 'approval';
  createdBy: string;
  /** user key -> role; status active unless listed in `pending`. */
  members: Record<string, 'member' | 'organizer' | 'admin'>;
  pending?: readonly string[];
}

export const communities: readonly DemoCommunity[] = [
  {
    key: 'riverside',
    slug: 'riverside-storytellers',
    name: 'Riverside Storytellers',
    description:
      'A monthly circle where neighbours tell true stories: of leaving home, of arriving, of the people who made us. Everyone is welcome to listen; anyone may tell.',
    visibility: 'public',
    joinPolicy: 'open',
    createdBy: 'amara',
    members: { amara: 'admin', ravi: 'organizer', kenji: 'member', elodie: 'member', sam: 'member' },
  },
  {
    key: 'cocina',
    slug: 'cocina-abierta',
    name: 'Cocina Abierta',
    description:
      'Cocinamos juntos, comemos juntos, contamos de dónde vienen nuestras recetas. Open kitchen nights for anyone who is hungry for food or company.',
    visibility: 'public',
    joinPolicy: 'open',
    createdBy: 'lucia',
    members: { lucia: 'admin', amara: 'member', elodie: 'organizer', fatima: 'member' },
  },
  {
    key: 'makers',
    slug: 'nairobi-makers-circle',
    name: 'Nairobi Makers Circle',
    description:
      'Repair cafés, solar lamp builds and skill swaps. Bring something broken; leave with it fixed and a new friend.',
    visibility: 'public',
    joinPolicy: 'approval',
    createdBy: 'wanjiru',
    members: { wanjiru: 'admin', ravi: 'member', amara: 'organizer' },
    pending: ['kenji'],
  },
  {
    key: 'nightshift',
    slug: 'night-shift-parents',
    name: 'Night Shift Parents',
    description:
      'A private circle for parents who work nights: lullaby swaps, childcare tips and company at 3 a.m.',
    visibility: 'private',
    joinPolicy: 'approval',
    createdBy: 'fatima',
    members: { fatima: 'admin', amara: 'member', lucia: 'member' },
  },
];

/** Unlocks the hidden tier of "Story Circle: Letters We Never Sent" (shown in the README's demo notes). */
export const DEMO_TIER_CODE = 'RIVERSIDE-FRIENDS';

export interface DemoEvent {
  key: string;
  community: string;
  createdBy: string;
  title: string;
  description: string;
  visibility: 'public' | 'unlisted' | 'community';
  /** Local date = today in `timeZone` + startsInDays; times are local wall-clock "HH:MM". */
  startsInDays: number;
  startTime: string;
  durationMinutes: number;
  timeZone: string;
  placeName?: string;
  address?: string;
  onlineUrl?: string;
  capacity?: number;
  requiresApproval?: boolean;
  guestLimit?: number;
  cancelled?: boolean;
  coHosts?: Record<string, 'manager' | 'checkin'>;
  tiers?: readonly {
    name: string;
    pricing: 'free' | 'fixed' | 'pay_what_you_want';
    priceCents: number;
    currency: string;
    capacity?: number;
    /** Hidden tiers are unlocked by `code` (stored hashed). */
    hidden?: boolean;
    code?: string;
  }[];
  /** user key -> tier name: a claimed ticket with its signed pass. */
  tickets?: Record<string, string>;
  rsvps?: Record<
    string,
    { status: 'going' | 'maybe' | 'not_going' | 'waitlisted' | 'pending'; guests?: number }
  >;
}

export const events: readonly DemoEvent[] = [
  {
    key: 'letters',
    community: 'riverside',
    createdBy: 'amara',
    title: 'Story Circle: Letters We Never Sent',
    description:
      'Bring a letter you wrote and never posted, or one you wish you had written. We read aloud, we listen, we drink tea.',
    visibility: 'public',
    startsInDays: 3,
    startTime: '19:00',
    durationMinutes: 120,
    timeZone: 'Europe/London',
    placeName: 'Riverside Library, Room 2',
    address: '14 Wharf Road, London N1 7RY',
    capacity: 20,
    guestLimit: 1,
    coHosts: { ravi: 'manager', sam: 'checkin' },
    tiers: [
      { name: 'Seat in the circle', pricing: 'free', priceCents: 0, currency: 'GBP', capacity: 20 },
      {
        name: 'Friends of the library',
        pricing: 'pay_what_you_want',
        priceCents: 300,
        currency: 'GBP',
        capacity: 5,
        hidden: true,
        code: DEMO_TIER_CODE,
      },
      // Reserved, owed at the door: the host's check-in screen shows "Owes £6.00 — mark paid" (GA34).
      { name: 'Supporter seat', pricing: 'fixed', priceCents: 600, currency: 'GBP', capacity: 5 },
    ],
    rsvps: {
      kenji: { status: 'going' },
      elodie: { status: 'going', guests: 1 },
      sam: { status: 'maybe' },
      lucia: { status: 'going' },
    },
    tickets: { kenji: 'Seat in the circle', elodie: 'Seat in the circle', lucia: 'Supporter seat' },
  },
  {
    key: 'tamales',
    community: 'cocina',
    createdBy: 'lucia',
    title: 'Tamales para todos',
    description:
      'Hacemos tamales de la receta de mi abuela de Oaxaca. Trae un delantal y una historia de tu cocina familiar.',
    visibility: 'public',
    startsInDays: 6,
    startTime: '12:00',
    durationMinutes: 180,
    timeZone: 'America/Mexico_City',
    placeName: 'Mercado de San Juan, cocina comunitaria',
    address: 'Ernesto Pugibet 21, Centro, Ciudad de México',
    capacity: 30,
    guestLimit: 2,
    coHosts: { elodie: 'manager' },
    tiers: [
      { name: 'Mesa comunitaria', pricing: 'free', priceCents: 0, currency: 'MXN', capacity: 20 },
      { name: 'Plato + delantal', pricing: 'fixed', priceCents: 15000, currency: 'MXN', capacity: 10 },
    ],
    rsvps: {
      amara: { status: 'going' },
      fatima: { status: 'going', guests: 2 },
      elodie: { status: 'going' },
    },
    tickets: { amara: 'Mesa comunitaria', fatima: 'Plato + delantal' },
  },
  {
    key: 'voices',
    community: 'riverside',
    createdBy: 'ravi',
    title: 'Online workshop: Recording Family Voices',
    description:
      'How to record an elder telling a story with only a phone: consent, quiet rooms, good questions, and keeping the file safe.',
    visibility: 'public',
    startsInDays: 10,
    startTime: '18:00',
    durationMinutes: 90,
    timeZone: 'America/New_York',
    onlineUrl: 'https://meet.example.org/family-voices',
    rsvps: { amara: { status: 'going' }, kenji: { status: 'going' }, sam: { status: 'going' } },
  },
  {
    key: 'repair',
    community: 'makers',
    createdBy: 'wanjiru',
    title: 'Repair Café: radios, kettles and phones',
    description:
      'Lete kitu kilichoharibika. Our fundis fix it with you, and teach you how. Tea and mandazi provided.',
    visibility: 'public',
    startsInDays: 8,
    startTime: '10:00',
    durationMinutes: 240,
    timeZone: 'Africa/Nairobi',
    placeName: 'Kibera Community Hall',
    address: 'Olympic Estate, Kibera, Nairobi',
    capacity: 15,
    requiresApproval: true,
    coHosts: { amara: 'checkin' },
    tiers: [
      { name: 'Workbench slot', pricing: 'pay_what_you_want', priceCents: 0, currency: 'KES', capacity: 15 },
    ],
    rsvps: { ravi: { status: 'going' }, kenji: { status: 'pending' } },
  },
  {
    key: 'solar',
    community: 'makers',
    createdBy: 'wanjiru',
    title: 'Solar Lamp Build (small group)',
    description:
      'Build your own solar lamp from recycled parts. Only two workbenches, so we keep a waitlist.',
    visibility: 'public',
    startsInDays: 15,
    startTime: '14:00',
    durationMinutes: 150,
    timeZone: 'Africa/Nairobi',
    placeName: 'Makers Circle Workshop',
    address: 'Ngong Road, Nairobi',
    capacity: 2,
    rsvps: { ravi: { status: 'going' }, amara: { status: 'going' }, kenji: { status: 'waitlisted' } },
  },
  {
    key: 'lullabies',
    community: 'nightshift',
    createdBy: 'fatima',
    title: 'Lullaby swap (members only)',
    description: 'Share the lullaby your family sings. We will record the ones you are happy to keep.',
    visibility: 'community',
    startsInDays: 4,
    startTime: '22:00',
    durationMinutes: 60,
    timeZone: 'Africa/Cairo',
    onlineUrl: 'https://meet.example.org/lullabies',
    rsvps: { amara: { status: 'going' }, lucia: { status: 'maybe' } },
  },
  {
    key: 'hanami',
    community: 'riverside',
    createdBy: 'kenji',
    title: 'Hanami picnic and stories under the trees',
    description: 'A picnic for listening: bring food from your childhood and a memory that goes with it.',
    visibility: 'public',
    startsInDays: 20,
    startTime: '11:00',
    durationMinutes: 180,
    timeZone: 'Asia/Tokyo',
    placeName: 'Ueno Park, near the Shinobazu Pond',
    address: 'Uenokoen, Taito City, Tokyo',
    guestLimit: 3,
    rsvps: { amara: { status: 'maybe' }, elodie: { status: 'going', guests: 1 } },
  },
  {
    key: 'crepes',
    community: 'cocina',
    createdBy: 'elodie',
    title: 'Soirée contes et crêpes',
    description: 'Des contes de Bretagne et d’ailleurs, et des crêpes jusqu’à minuit.',
    visibility: 'unlisted',
    startsInDays: 12,
    startTime: '19:30',
    durationMinutes: 150,
    timeZone: 'Europe/Paris',
    placeName: 'Atelier du Canal',
    address: '12 quai de Valmy, 75010 Paris',
    capacity: 25,
    tiers: [{ name: 'Entrée', pricing: 'fixed', priceCents: 800, currency: 'EUR' }],
    rsvps: { lucia: { status: 'going' }, amara: { status: 'not_going' } },
  },
  {
    key: 'canal',
    community: 'riverside',
    createdBy: 'amara',
    title: 'Canal walk: stories of the lock keepers',
    description: 'Cancelled: the towpath is flooded. We will walk in spring instead.',
    visibility: 'public',
    startsInDays: 5,
    startTime: '10:00',
    durationMinutes: 120,
    timeZone: 'Europe/London',
    placeName: 'Camden Lock',
    cancelled: true,
  },
];

export interface DemoStory {
  key: string;
  authors: readonly string[];
  community?: string;
  visibility: 'public' | 'community';
  language: string;
  title: string;
  summary: string;
  paragraphs: readonly string[];
  emotions: readonly string[];
  tags: readonly { kind: 'culture' | 'place' | 'language'; slug: string; label: string }[];
  publishedDaysAgo: number;
  contentWarning?: string;
  reactions?: Record<string, string>;
  comments?: readonly { author: string; body: string }[];
  translations?: readonly {
    language: string;
    translator: string;
    title: string;
    paragraphs: readonly string[];
  }[];
}

export const stories: readonly DemoStory[] = [
  {
    key: 'grandmother-radio',
    authors: ['amara'],
    community: 'riverside',
    visibility: 'public',
    language: 'en',
    title: "My grandmother's radio",
    summary: 'A radio that only ever played one station, and the night it played something else.',
    paragraphs: [
      'My grandmother kept a radio on the windowsill in Enugu that only ever played one station. She said the dial was stuck; I think she liked it that way.',
      'The night my grandfather died, it played highlife until dawn. Nobody touched it. In the morning she turned it off, and it never played again.',
      'I have the radio now. Sometimes I switch it on just to hear the hiss, and it feels like company.',
    ],
    emotions: ['nostalgia', 'grief', 'love'],
    tags: [
      { kind: 'culture', slug: 'igbo', label: 'Igbo' },
      { kind: 'place', slug: 'enugu', label: 'Enugu' },
      { kind: 'language', slug: 'en', label: 'English' },
    ],
    publishedDaysAgo: 9,
    reactions: { lucia: 'love', kenji: 'nostalgia', ravi: 'gratitude' },
    comments: [
      { author: 'ravi', body: 'My grandfather had one like this. Thank you for writing it down.' },
      { author: 'kenji', body: 'The hiss as company — I know exactly what you mean.' },
    ],
  },
  {
    key: 'receta-abuela',
    authors: ['lucia', 'elodie'],
    community: 'cocina',
    visibility: 'public',
    language: 'es',
    title: 'La receta que nadie escribió',
    summary: 'Mi abuela cocinaba de memoria. Para guardar su mole tuvimos que cocinarlo juntas cien veces.',
    paragraphs: [
      'Mi abuela nunca escribió una receta. Decía que la comida se aprende con las manos, no con los ojos.',
      'El año que enfermó, cocinamos su mole cada domingo. Yo medía a escondidas con una taza; ella se reía.',
      'Hoy lo cocino para la Cocina Abierta, y cada vez alguien me pregunta por la receta. Les digo la verdad: vengan el domingo.',
    ],
    emotions: ['love', 'gratitude', 'belonging'],
    tags: [
      { kind: 'culture', slug: 'mexican', label: 'Mexicana' },
      { kind: 'place', slug: 'oaxaca', label: 'Oaxaca' },
      { kind: 'language', slug: 'es', label: 'Español' },
    ],
    publishedDaysAgo: 6,
    reactions: { amara: 'joy', fatima: 'belonging' },
    comments: [{ author: 'amara', body: '¡Iré el domingo! I want to learn it with my hands too.' }],
    translations: [
      {
        language: 'en',
        translator: 'amara',
        title: 'The recipe nobody wrote down',
        paragraphs: [
          'My grandmother never wrote down a recipe. She said food is learned with the hands, not the eyes.',
          'The year she fell ill, we cooked her mole every Sunday. I measured in secret with a cup; she laughed.',
          'Today I cook it for Cocina Abierta, and every time someone asks for the recipe. I tell them the truth: come on Sunday.',
        ],
      },
    ],
  },
  {
    key: 'premier-hiver',
    authors: ['elodie'],
    community: 'cocina',
    visibility: 'public',
    language: 'fr',
    title: 'Mon premier hiver à Montréal',
    summary: 'Arriver en janvier, ne connaître personne, et être sauvée par une voisine et sa soupe.',
    paragraphs: [
      'Je suis arrivée à Montréal en janvier, avec un manteau beaucoup trop léger et une valise pleine de livres.',
      'La troisième nuit, ma voisine a frappé à la porte avec une soupe aux pois et une paire de mitaines tricotées.',
      'Nous ne parlions pas le même français, mais nous avons parlé jusqu’à deux heures du matin.',
    ],
    emotions: ['loneliness', 'gratitude', 'hope'],
    tags: [
      { kind: 'culture', slug: 'quebecois', label: 'Québécois' },
      { kind: 'place', slug: 'montreal', label: 'Montréal' },
      { kind: 'language', slug: 'fr', label: 'Français' },
    ],
    publishedDaysAgo: 14,
    reactions: { lucia: 'hope', sam: 'gratitude' },
  },
  {
    key: 'matsuri',
    authors: ['kenji'],
    community: 'riverside',
    visibility: 'public',
    language: 'ja',
    title: '祭りの夜、父の背中',
    summary: '天神祭の夜、人混みの中で父の背中だけを見て歩いた記憶。',
    paragraphs: [
      '子どもの頃、天神祭の夜はいつも父の背中を見て歩いた。人混みの中で、その背中だけが道しるべだった。',
      '花火が上がるたびに、父は振り返って私の顔を確かめた。言葉はなかったが、それで十分だった。',
      '今年、私は息子の前を歩いた。振り返ると、息子が同じ顔で花火を見上げていた。',
    ],
    emotions: ['nostalgia', 'awe', 'love'],
    tags: [
      { kind: 'culture', slug: 'japanese', label: '日本' },
      { kind: 'place', slug: 'osaka', label: '大阪' },
      { kind: 'language', slug: 'ja', label: '日本語' },
    ],
    publishedDaysAgo: 3,
    reactions: { amara: 'awe', ravi: 'love', elodie: 'nostalgia' },
    comments: [{ author: 'amara', body: 'Beautiful. Could you read this aloud at the hanami picnic?' }],
  },
  {
    key: 'night-bread',
    authors: ['fatima'],
    community: 'nightshift',
    visibility: 'community',
    language: 'ar',
    title: 'خبز الساعة الثالثة فجراً',
    summary: 'عن المناوبات الليلية، وعن جارة تترك الخبز الساخن على الباب.',
    paragraphs: [
      'أعود من المستشفى في الثالثة فجراً، والمدينة نائمة. على الباب أجد كيساً من الخبز الساخن.',
      'لم أعرف لسنوات من يتركه. ثم رأيتها مرة: جارتنا العجوز، تخبز لأن النوم لا يأتيها.',
      'الآن أترك لها بدوري شيئاً كل أسبوع. لا نتكلم كثيراً، لكننا لم نعد وحيدتين في الليل.',
    ],
    emotions: ['gratitude', 'belonging', 'calm'],
    tags: [
      { kind: 'culture', slug: 'egyptian', label: 'مصري' },
      { kind: 'place', slug: 'cairo', label: 'القاهرة' },
      { kind: 'language', slug: 'ar', label: 'العربية' },
    ],
    publishedDaysAgo: 2,
    reactions: { amara: 'gratitude', lucia: 'belonging' },
  },
  {
    key: 'taa-ya-jua',
    authors: ['wanjiru', 'ravi'],
    community: 'makers',
    visibility: 'public',
    language: 'sw',
    title: 'Taa ya kwanza ya jua',
    summary: 'Mtoto wa miaka kumi alijenga taa yake ya kwanza ya jua na kusoma usiku kwa mara ya kwanza.',
    paragraphs: [
      'Amani alikuja kwenye warsha akiwa na chupa tupu na betri ya simu iliyoharibika.',
      'Baada ya saa tatu, taa yake ya kwanza ya jua iliwaka. Alicheka kwa sauti kubwa hadi kila mtu akageuka.',
      'Usiku ule alisoma kitabu chake chote. Asubuhi alirudi na marafiki watatu.',
    ],
    emotions: ['joy', 'pride', 'hope'],
    tags: [
      { kind: 'culture', slug: 'kenyan', label: 'Kenyan' },
      { kind: 'place', slug: 'nairobi', label: 'Nairobi' },
      { kind: 'language', slug: 'sw', label: 'Kiswahili' },
    ],
    publishedDaysAgo: 5,
    reactions: { amara: 'joy', kenji: 'pride', sam: 'hope' },
    comments: [{ author: 'sam', body: 'This made my week. Give Amani our regards!' }],
  },
  {
    key: 'boats',
    authors: ['ravi'],
    community: 'riverside',
    visibility: 'public',
    language: 'en',
    title: 'The boats that did not come back',
    summary: 'Fishing families of Kerala remember the 2004 tsunami, twenty years on.',
    paragraphs: [
      'Every December, the families of Alappad light lamps along the shore for the boats that did not come back.',
      'Rajan was fourteen. He remembers the sea pulling back, the fish flapping on the sand, and then the silence.',
      'He fishes again now, from the same beach. "The sea took a lot," he says. "It also gives. We are still here."',
    ],
    emotions: ['grief', 'resilience', 'fear'],
    contentWarning: 'Loss of life in a natural disaster',
    tags: [
      { kind: 'culture', slug: 'malayali', label: 'Malayali' },
      { kind: 'place', slug: 'kerala', label: 'Kerala' },
      { kind: 'language', slug: 'en', label: 'English' },
    ],
    publishedDaysAgo: 20,
    reactions: { wanjiru: 'resilience', elodie: 'grief' },
  },
];

/** Host announcements and guest comments on gatherings. */
export const eventComments: readonly {
  event: string;
  author: string;
  kind: 'comment' | 'announcement';
  body: string;
  replies?: readonly { author: string; body: string }[];
}[] = [
  {
    event: 'letters',
    author: 'amara',
    kind: 'announcement',
    body: 'Room 2 is up the stairs on the left. Tea from 18:45; we start reading at 19:00 sharp.',
  },
  {
    event: 'letters',
    author: 'kenji',
    kind: 'comment',
    body: 'May I read a letter in Japanese and then translate it?',
    replies: [{ author: 'amara', body: 'Please do! Two languages, one letter — perfect.' }],
  },
  {
    event: 'tamales',
    author: 'fatima',
    kind: 'comment',
    body: '¿Puedo traer a mis dos hijos? Les encanta cocinar.',
    replies: [{ author: 'lucia', body: '¡Claro que sí! Hay delantales pequeños.' }],
  },
  {
    event: 'solar',
    author: 'wanjiru',
    kind: 'announcement',
    body: 'Both benches are taken. If you are on the waitlist, you will move up automatically if a spot frees.',
  },
];

/** A draft in progress (not published): co-authors, emotions, tags and a stored Yjs document. */
export interface DemoDraft {
  key: string;
  /** The owner first, then co-authors. */
  authors: readonly string[];
  community?: string;
  visibility: 'public' | 'community' | 'private';
  language: string;
  title: string;
  emotions: readonly string[];
  tags: readonly { kind: 'culture' | 'place' | 'language'; label: string }[];
  /** The document in TipTap's JSON: the first part is the stored snapshot, each later part one update. */
  document: readonly StoryNode[];
}

const para = (text: string): StoryNode => ({ type: 'paragraph', content: [{ type: 'text', text }] });

export const demoDrafts: readonly DemoDraft[] = [
  {
    key: 'river-songs',
    authors: ['amara', 'kenji', 'elodie'],
    community: 'riverside',
    visibility: 'community',
    language: 'en',
    title: 'Songs we sang by the river',
    emotions: ['belonging', 'nostalgia'],
    tags: [
      { kind: 'place', label: 'Riverside' },
      { kind: 'culture', label: 'Igbo' },
    ],
    document: [
      {
        type: 'doc',
        content: [
          {
            type: 'heading',
            attrs: { level: 2 },
            content: [{ type: 'text', text: 'Three voices, one river' }],
          },
          para('Every circle ends with a song. We are writing down the ones people brought with them.'),
        ],
      },
      {
        type: 'doc',
        content: [
          {
            type: 'paragraph',
            content: [
              { type: 'text', text: 'Kenji brought ' },
              { type: 'text', text: 'Furusato', marks: [{ type: 'italic' }] },
              {
                type: 'text',
                text: ', the song every Japanese school child learns about the hills of home.',
              },
            ],
          },
        ],
      },
      {
        type: 'doc',
        content: [
          {
            type: 'bulletList',
            content: [
              { type: 'listItem', content: [para('Amara: a highlife tune her grandmother hummed')] },
              { type: 'listItem', content: [para('Élodie: À la claire fontaine')] },
            ],
          },
        ],
      },
    ],
  },
];
