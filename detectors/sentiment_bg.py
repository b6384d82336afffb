"""Bulgarian per-mention sentiment, the same shape as `detectors.sentiment`: offline and fast.

Two parts, added up:
- Rules over a hand-written lexicon (`sentiment_bg_lexicon`, MIT, ours): opinion words, complaint,
  crisis and urgency vocabulary, negation ("не е добре", "няма ток", "никакъв отговор"), "няма да"
  (future negation), intensifiers ("много", "адски"), "но" clauses, ironic praise ("браво, пак
  няма ток"), exclamation marks, emoji and emoticons (shared with the English lexicon). Tokens are
  looked up as written, by lemma (simplemma's Bulgarian dictionary: simplemma MIT, data from
  Michal Měchura's lemmatization lists, ODbL-1.0) and by stem, so inflected forms match.
- A small linear model over hashed lemma unigrams and bigrams (`sentiment_bg_model.bin`, shipped,
  MIT), trained by `benchmarks/train_bg_sentiment.py --write` on the project's own labelled
  Bulgarian texts (benchmarks/data/bg tweets_dev..dev7 and mentions.jsonl, 1,544 texts; never
  general.jsonl, the check sets or Cinexio). It adds negative evidence the rules miss, within
  limits (`combine`): without a negative cue of the rules only from a confident logit (its bar),
  never praise, never softening the rules, and never against a verdict the rules read from the
  whole text (a stated mark, a mixed or mild cap). Without the file, or with
  CRISIS_SENTIMENT_MODEL=off, the rules run alone. (Before bg11 the model was trained on the
  Cinexio comments and never shipped, their licence being unstated; `--cinexio` still does that
  into out/.)
The rules also read inflected forms simplemma lacks (endings stripped, fleeting vowel restored),
comparatives ("по-слаб"), degree adjectives ("пълна боза"), could-have-been praise ("можеше да е
по-добре"), and cap mixed texts (praise plus only mild blame) short of negative. A contrast
("но") weighs the items of its own sentence only; denied strong praise ("не е нещо уникално") is
faint blame; negated imperatives and conditionals warn ("не купувайте", "не бих го купил пак");
Bulgarian irony is read from praise opening a clause next to a complaint ("Страхотно, третата
студена пица"), scare quotes ("бързата" доставка?) and the upside-down-face emoji.
Figures (`python benchmarks/sentiment_bg_bench.py`), rules alone, negative F1 on Cinexio split by
ID parity: half B (odd IDs, held out: never read, only its aggregate printed) 0.489 before the
bg2 lexicon work, 0.537 after, 0.543 after bg3; half A (even IDs, whose errors the bg2 and bg3
changes were written from) 0.507 -> 0.589 -> 0.609. Most remaining false positives are 2-3.5
star reviews that blame plainly ("Слаб", "Очаквах повече"): the text does not tell them from
1.5-star ones, and the threshold does not either (half A F1 moves < 0.01 between -0.12 and -0.4).
Rules + model 0.583 held-out on all of Cinexio (5-fold, `--kfold`; 0.576 before bg3). The 305
hand-written brand mentions of benchmarks/data/bg: negative P 0.994 R 0.883 F1 0.935 (0.872
before bg3; a development set: the lexicon was written beside it); 0.938 after the general
vocabulary of the second bg2 round (issue 14: public affairs, everyday gripes and joys), which
moved half B to 0.541 (P 0.407 R 0.807) and half A to 0.609. General tweets (benchmarks/data/bg/
general.jsonl, written before that round, scored only before and after it): F1 0.851 -> 0.929.
Graded blame (issue 14, mixed reviews): most false positives on Cinexio were 2-3.5 star "mixed"
reviews. Mild blame now gives a weak negative polarity (MIXED_CAP) short of the label: blame that
is hedged ("малко", "леко", "на моменти", "не особено", "не е чак толкова"), comparative ("по-слаб
от първия", "в сравнение с"), could-have-been ("можеше и по-добре"), an expectation ("очаквах да е
по-добър") or a verdict of unmet expectation or mediocrity ("очаквах повече", "нищо особено",
"става за убиване на време", "нещо ми липсваше"); a text whose only blame is mild is not negative.
A hedge never softens a complaint, crisis or blame of a service topic in its clause ("малко грубо
обслужване"). Praise beside blame intensified once ("интересен, но много бавен") is mixed, unless
the blame is of a service topic. Slow clapping (👏 beside strong blame) is irony; a price or bill
word followed by a rise verb is a price hike. Half B 0.541 -> 0.596 (P 0.407 -> 0.478, R 0.807 ->
0.790); half A 0.609 -> 0.663; own mentions 0.938 -> 0.942; general check set 0.929 (unchanged,
aggregate only); all of Cinexio 0.576 -> 0.631 rules alone, 0.630 rules + model (5-fold held-out:
the optional model no longer adds anything). The label threshold was re-checked on half A: F1
within 0.005 from -0.10 to -0.35, so it stays. The issue's 0.75 is out of reach for text rules on
Cinexio: 2.0-star reviews are flagged as often as 1.5-star ones (53% each on half A) and read
alike ("Много слаб филм!").
Tried and lost (half A, which decides; half B only as a total): "-ish"/diminutive adjectives as
mild ("слабичък", A 0.666 -> 0.664); plain pace/freshness flaws as mild ("муден", "предвидим", A
+0.001, B -0.002); blame of an ending as partial ("тъп край": flat on A, the general check set
-0.01 when "края"/"средата" were included); a concession ("въпреки", "макар") as no verdict (A
+0.001, B -0.001, own mentions +0.004); at most one mild cue per text (A -0.003); "нямам думи"
as neutral (A flat); phrase fixes for review idioms ("едва издържах", "щях да заспя": A +0.004,
B flat, so not kept); "не точно", "не става въпрос", "не се пропуска" (A +0.003, B flat:
reverted); more hedges ("по-скоро", "отчасти", "някои": A +0.001, B flat); "тежък" ("heavy", of
a drama) as no blame (A +0.002, B flat).
General Twitter (issue 14, bg4): 198 dev and 150 check tweets of the general-Twitter genre
(benchmarks/data/bg/tweets_*.jsonl, written by the rules' team before any change). Added from the
dev errors, each pinned by a test sentence of its own: slang and everyday blame ("наказание",
"смачкаха ме", "ядец", "ад", "трети свят", "на вятъра", "жълти стотинки", "класика в жанра"),
killings and layoffs, "як/яко/яката" as praise, English opinion words in Bulgarian tweets ("worst",
"best", "life is good"; kept in Latin letters when a Latin-script text is transliterated),
"нормално ли е?" and "или никога?" as rhetorical blame, an outraged "?!", medicines, doctors and
parking spaces as things whose absence is a complaint, potholes as a firm (roads) complaint, a
stretched "ГООООЛ" as a cheer; praise that a question or request asks for is no opinion ("Кой е
най-добрият доставчик?", "Търся добър зъболекар"); crying faces beside strong praise alone are
tears of joy; scare-quoted praise beside a service topic is irony; a capitalised praise word
mid-sentence is a name ("певицата Мила"); "суши" is not "суша". Negative F1 (3-class acc): dev
0.697 (0.697) -> 0.824 (0.833); check set 0.716 (0.760) -> 0.750 (0.780), totals only; half A
0.663 -> 0.663, half B 0.596 -> 0.594 (total only); own mentions 0.942 -> 0.942; general.jsonl
0.929 -> 0.938. Left alone (too specific or too risky for neutral text): bare sarcasm with no
blame word ("Обожавам когато ми звънят в 8 в събота", "Гениално решение: ..."), "😂" as mockery,
one-word ironic verdicts ("Човечност."), prices given only as numbers.
General Twitter, second round (issue 14, bg5): 210 dev2 and 152 check2 tweets written by the rules'
team before any change, in styles the first round lacked (threads, replies, irony without a blame
word, quoted headlines with a one-word comment, promos, emoji-only reactions, digits for letters in
Latin script). Added from the dev2 errors, each pinned by a test sentence of its own: a one-word
sentence or comment on a quote that is resigned or scornful ("Естествено.", "Ясно.", "Пак.",
"Сериозно?"); a sentence opened by "Пак" (but not "Пак ще") as a gripe; "изобщо" in a question;
"най-накрая"/"най-после" as relief in a statement and impatience in a question; a rise verb before
a price word ("вдигнаха таксата") and "високи(те) цени" as price complaints; "става" before
anything but "за" is "becomes", not "it'll do"; "така и не" (never happened), "какво очаквахте",
"се чудим защо", "празни приказки", "смешно е как", "не мога да вляза"; "добра новина", slang
"е звяр"/"беше пушка", "магьосник", "ще се влюбите"; "великолепно"/"прекрасно" as often ironic;
English "loved", "perfection", "tired", "seriously"; 🥹 as moved; "затвори" (closed; "затвори
телефона" is rude) and "внимателно" (advice) no longer read as prison and praise; a praise
word that is itself asked for ("препоръки?") is no opinion; "6t" transliterates to щ and "nai-"
to "най-". Negative F1 (3-class acc): dev2 0.631 (0.648) -> 0.832 (0.833); check2 0.636 (0.704)
-> 0.696 (0.750), totals only, scored before and after; tweets_dev 0.824 -> 0.851; tweets_check
0.750 -> 0.754 (used, total only); half A 0.663 -> 0.662, half B 0.594 -> 0.596 (total only);
own mentions 0.942 -> 0.942; general.jsonl 0.938 -> 0.938.
Tried and lost (second round): "дефицит" as blame and the superlative "най-високите цени" as a
complaint (each fixed a dev2 tweet but turns neutral statistics negative: "Дефицитът е 2%",
"Най-високите цени са в Лозенец"). Left alone: irony with no cue at all ("Обичам как всяка зима
„внезапно“ има сняг", "Благодаря на НЗОК, че покрива цели 5 лева"), praise-word comments on a
quoted headline ("Браво.", "Супер." may be sincere or not), numbers-only complaints.
General Twitter, third round (issue 14, bg6): 182 dev3 and 140 check3 tweets written by the rules'
team before any change, in styles the first two rounds lacked (bad facts with no opinion word,
rhetorical comparisons, idioms, colloquial and diminutive swearing, political contempt, good
news told as plain facts, quotes and statistics; 19% Latin script). Added from the dev3 errors,
each pinned by a test sentence of its own: idioms of being fed up or of scorn ("писна ми", "до
гуша", "пълна скръб", "голям майтап с", "на кого му пука", "няма да го бъде", "ни в клин",
"прах в очите", "на маймуни"); rhetorical comparisons ("това не е държава", "като в Африка", "в
нормалните държави", "само у нас"); "режат ленти", "пак същите", "са едни и същи"; "не
оправиха" (paid and not fixed: a firm complaint, so praise beside it is irony); swearing and its
diminutives ("тъпанари", "кретенчета", "идиотщина", "шибан"); happy events with no praise word
("сгоди", "приеха ме", "взех изпита", "шампиони", "станаха на крака", "отиваме на море/ски",
"стана бомба", "това е живот", "сме на финал"); English "finally" as relief; "изтичах" (ran) is
no leak and past "помогна" (helped) no plea. Negative F1 (3-class acc): dev3 0.609 (0.538) ->
0.874 (0.797); check3 0.586 (0.536) -> 0.710 (0.679), totals only, scored before and after;
half A 0.662 -> 0.662, half B 0.596 -> 0.596 (total only); own mentions 0.942 -> 0.942;
tweets_dev 0.851 -> 0.851; tweets_dev2 0.832 -> 0.832 (3-class 0.833 -> 0.829: "Отивам на море
..., някакви препоръки?" now reads positive); general.jsonl 0.938 -> 0.947; tweets_check 0.754
-> 0.765, tweets_check2 0.696 -> 0.696 (totals only).
Tried and lost (third round): "боза" as a plain drink (it is also slang for rubbish: half A
0.662 -> 0.647); "отпуска"/"ваканция"/"vacation" as good news (a neutral "отпуската по
майчинство се удължава" turned positive). Left alone: bad facts with no cue ("Автобусът не е
идвал от 40 минути", "Парното още не е пуснато", "Режат 200 души"), irony by understatement
("издържа цели три дни"), statistics of bad things ("Безработицата е 3,9 %" still reads
negative), outage notices with a cause ("заради авария"), plans with no cue ("Заминаваме за
Гърция").
General Twitter, fourth round (issue 14, bg7): 152 dev4 and 117 check4 tweets written by the
rules' team before any change, on what the earlier rounds left alone (bad facts with no opinion
word, irony by understatement, outage notices with a cause, statistics of bad things, everyday
life and feelings, weather, work and school, short tweets; 18% Latin script). Added from the
dev4 errors, each pinned by a test sentence of its own: missing someone ("липсваш ми", "miss
you"), sleeplessness and exhaustion ("не съм спала", "не спя", "нямам сили", "изморих се",
"главата ми ще се пръсне" — the head only: a heart that bursts is joy), bad facts ("не е идвал",
"не дойде", "не запали", "не топли", "се развали", "още не е пуснато", "съкратиха ме"),
understatement ("издържа/изкара/оцеля цели/само ..."), life events ("влюбена", "роди",
"проходи", "ще ставам баща", "получих повишение", "изкарах шестица", "е приет", "женени сме от",
"първият сняг", "какво слънце", "отказах цигарите"), English "proud", "sick", "ugh". An outage
word reads neutral when the tweet gives its cause ("заради авария", "поради ремонт"), and a bad
thing's statistic noun ("безработицата", "инфлацията", "катастрофите", "бедността") when its
sentence holds a number; "сърдечни болести" are not heartfelt. Negative F1 (3-class acc): dev4
0.658 (0.526) -> 0.885 (0.855); check4 0.642 (0.538) -> 0.765 (0.658), totals only, scored
before and after; half A 0.662 -> 0.663, half B 0.596 -> 0.596 (total only); own mentions 0.942
-> 0.945; tweets_dev 0.851 -> 0.860; tweets_dev2 0.832 -> 0.839; tweets_dev3 0.874 -> 0.917;
general.jsonl 0.947 -> 0.956; tweets_check 0.765, check2 0.696, check3 0.710, all unchanged.
Tried and lost (fourth round): "влюбих" (simplemma lemmatises it to "се", so every reflexive
verb turned positive) and "проходи"/"защитих" spread to their lemmas ("проход" is a mountain
pass: they are now kept off the lemma table). Left alone: waiting told only by clock times
("Чакам от 9 сутринта. Сега е 13:20"), "стои вече час", "трета поредна събота на работа",
school chores ("три контролни"), "Ваканция от утре!" (still too risky, see round 3), irony
flagged only by a later "Шегувам се.", understatement without a durability verb ("беше на
работа цели два часа").
General Twitter, fifth round (issue 14, bg8): 174 dev5 and 128 check5 tweets written by the rules'
team before any change, on what round 4 left (mocking vs joyful "😂", waits told by the clock,
numbers-only complaints, "Шегувам се.", replies to brands and politicians, quoted support chats,
vulgar-but-positive slang, neutral tweets with negative words, headlines with a comment; 18%
Latin script). Added from the dev5 errors, each pinned by a test sentence of its own: laughing
faces at office-holders, third-person promises, quoted claims or a bill are mockery and turn the
praise beside them (a heart, "смях", family, friends or pets keep them joy); "Шегувам се." /
"Майтап бе" / "Шегичка" opening a later sentence takes back the praise before it ("не се
шегувам", "без майтап" do not); waits told by the clock ("от 9" with a wait verb, "Сега е
15:40" or "Днес е петък" after an earlier, smaller time or a start day, "стои ... час", "45
минути на телефона", "Трета година е." as a sentence of its own); a zero count ("0 отговора";
"0 загуби" is none of a bad thing); a price or bill then and now in numbers, the later 1.5x
("ноември 86 лв, декември 214 лв"); a retort "а заплатите?"; a score ("2:0") makes lose/fall
words a match report; a film, book, talk or exhibition about a war or a crisis names its
subject; dread words grade the praise after them ("ужасно добър", "лудо хубав"); "е/беше
бомба", "бомбастичен"; "няма проблем" is a reply, not praise; "дайте оставка", "не е мой
проблем", a resigned "Аха.". Negative F1 (3-class acc): dev5 0.452 (0.563) -> 0.893 (0.908);
check5 0.500 (0.578) -> 0.776 (0.812), totals only, scored before and after; tweets_dev 0.860 ->
0.886; tweets_dev2 0.839 -> 0.839; tweets_dev3 0.917 -> 0.929; tweets_dev4 0.885 -> 0.911;
general.jsonl 0.956 -> 0.965; own mentions 0.945 -> 0.945; half A 0.663 -> 0.663, half B 0.596
-> 0.596 (total only); tweets_check 0.765 -> 0.759, check2 0.696 -> 0.708, check3 0.710 ->
0.710, check4 0.765 -> 0.776 (totals only). Tried and lost (fifth round): any blame or "пак"
beside a laughing face as mockery ("кумът падна в тортата 🤣" read an outage; "Вече съм на 30
😂" turned negative), any "обещ" form ("Обещах на детето торта 😂"). Left alone: laughter with
no target ("Тоя вратар 🤣🤣"), travel times ("Два часа и половина за 40 км"), prices without a
then and now ("10 лв за 1 час паркинг"), quoted support lines answered in kind ("„Разбираме
неудобството ви.“ Не, не го разбирате."), "По дяволите, какъв гол!", "Убийствена жега".
General Twitter, sixth round (issue 14, bg9): 158 dev6 and 122 check6 tweets written by the rules'
team before any change, in the style of 2010s Bulgarian Twitter (news retweets with a comment,
political nicknames, protests, media, football rivalries, name days, weather, TV, one-word
replies, links with a word, Russian and English mixed in, rants; 17-19% Latin script) and on
what round 5 left. Added from the dev6 errors and from probe sentences of our own, each pinned
by a test: a trip told in hours and km slower than 20 km/h, or hours that open a sentence then
"от" A "до" B ("около" and places-first are information); a price that opens a sentence for a
unit ("5 лв за час паркинг"); "Оставка!" shouted or repeated; laughing faces at referees,
keepers, coaches, presenters; swearing before "какъв X!" and "Егати X!" is wonder unless X
blames; a protest told with a time, a day or a headcount is a notice, and talks and debates
name their subject (corruption, protests); "убийствена"/"адска" before a noun blames (as a
predicate it does not; "ненормално добър" grades praise); cold drinks; "ну добре, тогава"; a
praise word said twice is one praise ("Браво, момчета, браво." beside a failure is irony);
praise told as what others claim ("обясняват колко добре живеем"); "незабравим" beside a
complaint; "още по-тъп" is no relative blame; "как" questions ask for praise; "с боза" the
drink; words and phrases (капец, отстой, класно, цензура, мекерета, wtf, ненормално, кайф,
"не издържам", "не им вярвам", "нито дума", "ми обяснете защо", "нищо ново под слънцето", "това
е животът", "няма сравнение"). The checks open with one set intersection per text (about 1% of
the rules' time on Cinexio). Negative F1 (3-class acc): dev6 0.621 (0.665) -> 0.940 (0.937);
check6 0.695 (0.721) -> 0.904 (0.893), totals only, scored before and after; tweets_dev 0.886
-> 0.891; dev2 0.839 -> 0.839; dev3 0.929 -> 0.935; dev4 0.911 -> 0.911; dev5 0.893 -> 0.935;
general.jsonl 0.965 -> 0.965; own mentions 0.945 -> 0.945; half A 0.663 -> 0.663, half B 0.596
-> 0.596 (total only); tweets_check 0.759 -> 0.759, check2 0.708 -> 0.726, check3 0.710 ->
0.722, check4 0.776 -> 0.776, check5 0.776 -> 0.788 (totals only). Tried and lost (sixth
round): "незабравим" as plain praise ("Мерси, БДЖ, за незабравимото пътуване: 4 часа
закъснение" turned neutral), "убийствен" as blame wherever it stands (half A: "звукът е
убийствен" is praise), "ненормално" as blame before praise ("ненормално добър филм"). Left
alone: insults by nickname with no blame word ("тикви", "папагали"), "Съдията е купен", travel
times with no places or km ("Влакът София–Варна: 9 часа"), holiday envy ("Коледа, а аз на
смяна"), "Интересно." with a link, "Жегата е адска" (predicate).
General Twitter, seventh round (issue 14, bg10): 165 dev7 and 133 check7 texts written by the
rules' team before any change: short reviews (films, series, books, restaurants, products, apps;
mixed or lukewarm verdicts neutral) and what round 6 left (nicknames, bought referees, travel
times with no places, holiday envy, links with one word, sentiment that turns at the end);
check7 avoids the brief's example phrasings. Added from the dev7 errors, each pinned by a test
sentence of its own: a stated mark decides a review ("6/10", "3 от 5", "1 звезда", "Оценка 2";
0.3 or less negative, 0.8 or more positive, between neutral); praise beside mediocrity
("средно", "средна работа", "може и по-добре"), a conceded flaw (", иначе …"), drawn-out
("проточи", "разводнява") or other mild blame is a mixed verdict, capped short of positive;
mediocrity and drag alone are mild (neutral); praise before a late turn ("докато не", "до
момента, в който", "само дето", "После …" with nothing blamed after it, "Грешах.") sets up a bad
ending, and "докато не" does not negate what follows; a sentence opened by "Но"/"Обаче"
outweighs the sentences before it; political nicknames that open a sentence or follow "тия"
("Тиквите", "папагалите", "овцете", "динозаврите", "Бай Ганьовците", "кукли на конци"); "купен",
"продаден", "нагласен", "уреден" beside a referee or match; others at leisure and "аз" at work;
two or more hours (or an ordinal hour) opening a sentence before a vehicle, and "километра" as
"км"; "Интересно."/"Любопитно." beside a link is a pointer; a closing one-word verdict counts
twice ("… Жалко."); "ако няма X" is a condition, not good news; "супер" before a plain noun is
praise; a promised return ("Ще идваме пак"), "Гледайте го!" and our own trip announced with "!"
please when nothing else is said; "Препоръчайте …" asks; "алчност", "както трябва". The checks
sit behind one set intersection per text (and a digit test before the mark regex); interleaved
CPU-time runs on Cinexio cannot tell the round's cost from the machine's noise (about +-10%).
Negative F1 (3-class acc): dev7 0.574 (0.552) -> 0.929 (0.891); check7 0.581 (0.632) -> 0.614
(0.662), totals only, scored before and after; half A 0.663 -> 0.669, half B 0.596 -> 0.599
(total only); own mentions 0.945 (0.934) unchanged; general.jsonl 0.965 (0.963 -> 0.969);
tweets_dev to dev5 unchanged; dev6 0.940 (0.937) -> 0.956 (0.956); tweets_check 0.759 (0.787 ->
0.793), check2 0.726, check3 0.722, check4 0.776 unchanged, check5 0.788 (0.820) -> 0.776
(0.812), check6 0.904 (0.893 -> 0.902) (totals only). Tried and lost (seventh round): blame of
half the praise's weight as a mixed verdict (thanks after an outage, "Страхотен гол … 😱" and
four own mentions lost their praise); mediocrity at -0.2 (statistics such as "Средната заплата
е …" and "Средна работа" turned negative); "умен" as praise ("Не е особено умен филм" turned
negative on half A); "После" as a turn when blame follows it ("… и после се издънва" on half A).
Left alone: similes of bad taste ("пица като гума", "кафе като вода"), envy with no work word
("а аз гледам таблици"), "нормална"/"ок" as lukewarm, comparisons ("по-интересна от филма"),
"платени отзиви", contentment idioms ("нищо повече не ми трябва").
The model, trained on our own texts (issue 14, bg11): every setting (L2, steps, threshold,
weight, no-cue bar, softening) chosen by leave-one-group-out over the eight training groups (each
dev round, mentions), at most 0.01 LOGO precision below the rules', and of the settings within
0.003 F1 of the best the one changing the fewest labels; chosen threshold 1.0, weight 0.125, bar
2.0, no softening. Negative P/R/F1, rules alone -> rules + model: LOGO 0.987/0.860/0.919 ->
0.986/0.885/0.932, nested LOGO (settings chosen inside each outer fold) 0.983/0.882/0.930;
check sets (scored once before and once after, settings fixed; totals only) F1 tweets_check
0.759 -> 0.810, check2 0.726 -> 0.780, check3 0.722 -> 0.821, check4 0.776 -> 0.817, check5
0.776 -> 0.800, check6 0.904 -> 0.904, check7 0.614 -> 0.708 (recall up on six, precision within
0.005 or better on all seven); general.jsonl 0.965 unchanged; mentions' news and questions
unchanged; Cinexio half A 0.668 -> 0.666, half B 0.599 -> 0.598 (total only). The model costs
about 4-11% of the rules' time. Known weakness: plain first-person statements on complaint
topics ("Заплатата ми е 2000 лева.", "Чакам автобуса.") can read negative. bg12 wrote a neutral-
heavy set for it (tweets_neutral_train/check, ours, MIT) and retrained with it as a ninth group
(`train_bg_sentiment.py --neutral`, same selection rule): nested LOGO over the 8 groups 0.930 ->
0.928, those statements neutral, but every held-out check set with a change fell (check
0.810 -> 0.790, check2 0.780 -> 0.748, check3 0.821 -> 0.779, check4 0.817 -> 0.807, check5
0.800 -> 0.788, check7 0.708 -> 0.674, the new neutral check 0.806 -> 0.772), so this file is
still bg11's. On that neutral set most false alarms (29 of 36 on its 288 non-negative texts) are
the rules', not the model's. Details: benchmarks/data/bg/README.md.
Neutral register (issue 14, bg13): crisis and complaint words in a notice (a day, "утре", "ще",
"от 9 до 16", "до 18 ч."), a resolved or declared event ("овладян", "няма пострадали", "е
обявена"), with a neutral cause ("заради мъглата") or in a question asking for information ("Има
ли спиране на водата утре?", "До кога може …?") lose their valence when nothing shows a stance
(an exclamation, an intensifier, "не", "пак"/"вече"/"никой", a contrast, "от седмица", an
ordinal, "без предупреждение", irony, an opinion word, a predicate "е кражба"); their crisis and
complaint signals stay (also on the planned and cause-given outage notices, which dropped them
before), and the signal "notice" keeps the model from turning them negative. The speaker's own
act is no outage ("да спра картата", "изтеглих 200 лв", "ме спряха за проверка"), a deadline no
wait ("отговор до 14 дни"). Rules' false alarms on the neutral train set's 288 non-negative
texts 29 -> 9 (product 36 -> 16); its negative F1 0.760 -> 0.861, neutral check 0.806 -> 0.847;
check5 fell 0.800 -> 0.763 and check6 0.904 -> 0.893 (held out, totals only: see the README).
Narrowed in bg14 on new development text (tweets_dev8): a cause-given or planned outage goes
through the register instead of losing its valence outright, and the writer hit by the event
("ще ни спрат водата"), stuck somewhere ("седим на летището"), a wait reaching a length ("ще стане
месец", "откакто"), an ordinal with its article or the addressee as cause ("заради вашата
грешка") are stances; a conditional threat or warning to the addressee ("Ако до утре не оправите
…, ще прекратя договора") is a complaint (`complaint:threat`). Dev8 0.713 -> 0.883; held out
check5 0.776 -> 0.788, check6 0.893 -> 0.904, check8 0.690 -> 0.774, neutral check 0.847 =.
Complaints told as bare facts with no negative word (bg15, `_bare_facts`, signal
`complaint:bare:<kind>`): a promise and what came of it ("Обещаха компенсация. Нищо.", "Казаха 3
дни. Минаха 12.", "Поръчах на 3-ти, днес е 20-ти."), "чак" with a date, "уж … а", "още не"/"все
още без", "вече N-ти път", missing or closed for a time, a price then and now, a schedule missed
by the clock; a promise kept ("както казаха") is praise. Dev9 0.552 -> 0.975; held out check9
0.479 -> 0.851, check8 0.774 -> 0.800, the others unchanged.
Plain facts (bg16, `_plain_fact`, signal "plain"): one clause with one figure, a sum of money or a
day ("Заплатата ми е 2000 лева.", "Записах си час при личния лекар за петък."), no cue, no
stance, no question or quote, is the rules' verdict, which the model may not overrule (as
"notice"); and without a cue the model adds only on at least `min_ids` n-grams (5: three words;
"Чакам автобуса." is 3), chosen by LOGO with bg11's weights and settings kept
(`train_bg_sentiment.py --bg11`). The bg11 model's known weakness above is gone on its test
sentences; figures in benchmarks/data/bg/README.md.
Implicit complaints (bg17, `_implicit_cues`, before the sarcasm pass; bare-fact readers
`_overran`, `_passed_now`, `_late_by_hours`): complaints told by cue words with no negative word —
"И това ако е …", rhetorical questions ("Кога ли ще …", "Колко пъти трябва да звъня …", "Как
така … не …", "Кога най-после ще има нормални …?"), "Толкова за „…“", requests counted, "N-ти …
подред", a span counted from a sentence's start ("Пети ден вали"), "пак" after a sigh or after
praise said as an interjection (then turned as irony), praise opening a colon list of bad things
or a dawn noise on a weekend, short resigned sentences ("Отново.", "Както винаги.", "Тишина."
after a wait), a span expected then one three times as long, a day or month passed, a time agreed
then hours later, trips slower than a bike in minutes or days. Each has a same-cue twin that
stays neutral or positive in `tests/detectors/test_sentiment_bg_implicit.py`.
Latin-script Bulgarian is transliterated to Cyrillic first (`language.transliterate`).

Pure: no I/O except loading the word lists and weights the first time a text is analysed.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
import unicodedata
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

from detectors import sentiment_bg_lexicon as lx
from detectors import sentiment_lexicon as en_lx
from detectors.language import transliterate

Label = Literal["negative", "neutral", "positive"]  # as `sentiment.Label`
ALPHA = 1.0  # polarity = total / sqrt(total² + ALPHA), as in the English analyzer
NEGATIVE_BELOW = -0.12
POSITIVE_ABOVE = 0.12
MAX_CHARS = 5_000
MAX_SIGNALS = 12
NEGATION_SCOPE = 3
STRONG_NEGATIVE = -0.4
IRONIC_MIN = 0.3  # faint approval ("става", "ок") is no ironic praise
# Strong praise denied is faint blame, not a complaint: "не е нещо уникално" (shift, not flip).
STRONG_PRAISE = 0.75
DENIED_STRONG_PRAISE = -0.1
# A text that praises something and blames only mildly ("хубав, но малко бавен") is mixed: its
# total is capped just short of NEGATIVE_BELOW unless some negative item reaches MIXED_STRONG.
MIXED_STRONG = -0.7
MIXED_CAP = -0.1
# Model: weights over HASH_BUCKETS hashed features; the file also holds its bias, threshold and
# weight in the total (chosen by the training script on training folds only).
HASH_BITS = 16
HASH_BUCKETS = 1 << HASH_BITS
VETO_KEEP = 0.25  # the model may soften a negative total of the rules at most to this share
MODEL_FILE = "sentiment_bg_model.bin"


@dataclass(slots=True)
class _Item:
    value: float
    signal: str
    pos: int
    ironic_frame: bool = False  # praise opening a clause as an interjection ("Браво, …")
    prone: bool = False  # a word often said ironically ("браво", "благодаря", "супер")
    quoted: bool = False  # in scare quotes: "бързата" доставка
    negated_praise: bool = False  # "не е добре": as plain a complaint as a complaint word
    mild: bool = False  # hedged, comparative or could-have-been blame ("малко скучен")
    topical: bool = False  # blame of a service topic in its clause ("бавна доставка")
    notice: bool = False  # an event told without stance: no valence, but its signal stands


# --- words ----------------------------------------------------------------------------------


@cache
def _lemma_table():  # type: ignore[no-untyped-def]
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    return DefaultDictionaryFactory().get_dictionary("bg")


@lru_cache(maxsize=1 << 16)
def lemma(word: str) -> str:
    """Dictionary form of a lower-case Bulgarian word ("изтекоха" -> "изтека"), else the word."""
    found = _lemma_table().get(word)
    if not found:
        return word
    text = found.decode() if isinstance(found, bytes) else str(found)
    return text.split("-(", 1)[0]  # "харесам-(се)" -> "харесам"


@cache
def _word_table() -> dict[str, tuple[float, str]]:
    """Word or lemma -> (valence, signal); complaints and crises override opinion words."""
    table: dict[str, tuple[float, str]] = {}
    for w, v in lx.WORDS.items():
        table[w] = (v, f"lexicon:{w}")
    for topic, words in lx.COMPLAINTS.items():
        for w, v in words.items():
            table[w] = (v, f"complaint:{topic}")
    for topic, words in lx.CRISIS.items():
        for w, v in words.items():
            table[w] = (v, f"crisis:{topic}")
    for w, v in lx.URGENCY.items():
        table[w] = (v, f"urgency:{w}")
    # The same entries by lemma, so that any inflected form reaches them.
    # Not "чакане" -> "чакам": "чакаме трета част" is eagerness; waiting is a complaint only
    # with a duration or "пак" (`_Scorer.waiting`).
    for w, entry in list(table.items()):
        if w not in lx.WAIT_WORDS and w not in lx.NO_LEMMA_SPREAD:
            table.setdefault(lemma(w), entry)
    return table


# Adjective and noun endings (definite, feminine, neuter, plural), longest first: the fallback
# for forms simplemma does not list ("посредствена", "бездарните", "тъпнята").
_ENDINGS = ("ият", "ия", "ата", "ото", "ите", "та", "то", "те", "а", "о", "и")
_VOWELS = frozenset("аъоуеиюяѝ")


def _base_forms(word: str) -> list[str]:
    """Candidate dictionary forms of an inflected adjective or noun, fleeting vowel restored."""
    found: list[str] = []
    for ending in _ENDINGS:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= 3:
            found.append(stem)
            if stem[-1] not in _VOWELS and stem[-2] not in _VOWELS:
                found += [stem[:-1] + "е" + stem[-1], stem[:-1] + "ъ" + stem[-1]]
    return found


@lru_cache(maxsize=1 << 16)
def _lookup(word: str) -> tuple[float, str] | None:
    table = _word_table()
    entry = table.get(word)
    if entry is None:
        entry = table.get(lemma(word))
    if entry is None and word.startswith(("по-", "най-")) and "-" not in word[4:]:
        # Comparatives and superlatives carry their adjective's valence ("по-слаб").
        entry = _lookup(word.split("-", 1)[1])
    if entry is None and lemma(word) == word:  # a word simplemma knows is not re-guessed
        for base in _base_forms(word):
            entry = table.get(base)
            if entry is not None:
                break
    if entry is None:
        for k in range(len(word), 3, -1):  # longest listed stem first
            entry = lx.STEMS.get(word[:k])
            if entry is not None:
                break
    return entry


@cache
def _phrases_by_first() -> dict[str, list[tuple[tuple[str, ...], float, str]]]:
    index: dict[str, list[tuple[tuple[str, ...], float, str]]] = {}
    for words, (value, signal) in lx.PHRASES.items():
        index.setdefault(words[0], []).append((words, value, signal))
    for candidates in index.values():
        candidates.sort(key=lambda c: -len(c[0]))
    return index


# --- text -----------------------------------------------------------------------------------

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)@\w+")
_HASHTAG = re.compile(r"#(\w+)")
_LATIN = re.compile(r"[a-z]")
_CYRILLIC = re.compile(r"[а-яѝ]")
_ELONGATED = re.compile(r"([а-яѝ])\1{2,}")
_EMOJI_NOISE = dict.fromkeys([0xFE0F, 0xFE0E, 0x200D, *range(0x1F3FB, 0x1F400)])
_EMOTICON_ALT = "|".join(re.escape(e) for e in sorted(en_lx.EMOTICONS, key=len, reverse=True))
_EMOTICON = re.compile(rf"(?<!\S)(?:{_EMOTICON_ALT})(?![\w])")
_TOKEN = re.compile(
    rf"(?<!\S)(?:{_EMOTICON_ALT})(?![\w])"
    r"|[а-яѝa-z0-9]+(?:-[а-яѝa-z]+)*"  # words, hyphenated ones whole ("най-добрият")
    r"|[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u2B55]"
    r"|[.,;:!?]+|\u2026"
)
_CLAUSE_BREAKS = frozenset(".,;:?\u2026")
_SENTENCE_ENDS = frozenset(".!?\u2026")
_SARCASM_TAGS = frozenset(("сарказъм", "ирония", "sarcasm", "irony"))


def normalise(text: str) -> tuple[str, bool, bool]:
    """Lower-cased Cyrillic text, whether it was shouted in caps, and a sarcasm tag flag."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).translate(_EMOJI_NOISE)
    text = _MENTION.sub(" ", _URL.sub(" ", text))
    sarcasm = False
    if "#" in text:
        tags = {t.lower() for t in _HASHTAG.findall(text)}
        sarcasm = not tags.isdisjoint(_SARCASM_TAGS)
        text = _HASHTAG.sub(lambda m: " " + m.group(1) + " ", text)
    sarcasm = sarcasm or "\U0001f643" in text  # upside-down face: irony, as in the English rules
    letters = [c for c in text if c.isalpha()]
    shouted = len(letters) >= 8 and sum(c.isupper() for c in letters) > 0.8 * len(letters)
    low = text.lower()
    # Emoticons (":D", "xD") are neither script: not counted, and kept as written.
    bare = _EMOTICON.sub(" ", low)
    latin, cyrillic = len(_LATIN.findall(bare)), len(_CYRILLIC.findall(bare))
    if latin > cyrillic:  # shlyokavica: read it as Cyrillic
        low = _transliterate_text(low)
    return low, shouted, sarcasm


def _transliterate_text(low: str) -> str:
    """Transliterate the words of a Latin-script text, leaving its emoticons and the English
    opinion words of the lexicon ("best", "worst") alone."""
    parts: list[str] = []
    pos = 0
    for m in _EMOTICON.finditer(low):
        parts += [_transliterate_words(low[pos : m.start()]), m.group(0)]
        pos = m.end()
    parts.append(_transliterate_words(low[pos:]))
    return "".join(parts)


_LATIN_WORD = re.compile(r"[a-z]+")


def _transliterate_words(chunk: str) -> str:
    if not any(w in lx.ENGLISH for w in _LATIN_WORD.findall(chunk)):
        return transliterate(chunk)
    parts: list[str] = []
    pos = 0
    for m in _LATIN_WORD.finditer(chunk):
        if m.group(0) in lx.ENGLISH:
            parts += [transliterate(chunk[pos : m.start()]), m.group(0)]
            pos = m.end()
    parts.append(transliterate(chunk[pos:]))
    return "".join(parts)


# A short span in quotes ("бързата" доставка, „страхотно“ обслужване): scare quotes, not a
# quotation or a title, when it is at most three words.
_QUOTED = re.compile(r'["„“”«»]([^"„“”«»]{1,40}?)["“”»]')


def _quoted_words(text: str) -> frozenset[str]:
    if not any(q in text for q in '"„“«'):
        return frozenset()
    spans = (m.group(1).split() for m in _QUOTED.finditer(text))
    return frozenset(w.strip(".,!?") for span in spans if len(span) <= 3 for w in span)


# A capitalised word right after a lower-case one is a name ("певицата Мила обяви"), unless
# the whole text is shouted.
_NAME = re.compile(r"(?<=[а-яѝ] )[А-Я][а-яѝ]+")


def _names(text: str) -> frozenset[str]:
    return frozenset(m.group(0).lower() for m in _NAME.finditer(text[:MAX_CHARS]))


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


# --- rules ----------------------------------------------------------------------------------


class _Scorer:
    def __init__(self, toks: list[str], quoted: frozenset[str] = frozenset()) -> None:
        self.tokens = toks
        self.quoted = quoted
        self.names: frozenset[str] = frozenset()  # capitalised mid-sentence: "певицата Мила"
        self.phrases = _phrases_by_first()
        self.items: list[_Item] = []
        self.signals: list[str] = []
        self.negated_at = -99
        self.absence_at = -99
        self.counterfactual_at = -99
        self.clause_start = 0
        self.clause_breaks: list[int] = []  # tokens that end a clause (", . ; : ! ? …")
        self.hedged: set[int] = set()  # clauses (by index) with a hedge ("малко", "на моменти")
        self.boost = 1.0
        self.buts: list[int] = []  # every contrast word ("но", "обаче", "иначе")
        self.sentence_ends: list[int] = []  # tokens that end a sentence (". ! ? …")
        self.exclamations = 0
        self.waiting = self.duration = self.persistent = False
        self.standing = False  # "стои", "висях": waiting only with a duration
        self.queued = False  # "на опашката", "на телефона": likewise

    def run(self) -> list[_Item]:
        i = 0
        while i < len(self.tokens):
            i = self._step(i, self.tokens[i])
        waited = (self.waiting and (self.duration or self.persistent)) or (
            self.duration and (self.standing or (self.queued and not self._fond()))
        )
        if waited or self._clock_wait():
            self.items.append(_Item(-0.5, "complaint:long wait", len(self.tokens)))
        self._sentence_cues()
        words = [t for t in self.tokens if t[0].isalpha()]
        if (
            not self.items
            and words
            and set(words) <= lx.BARE_NO
            and not set(words).isdisjoint(lx.NEGATORS)
        ):
            self.items.append(_Item(-0.5, "lexicon:не", 0))  # "Не!", "Твърдо НЕ", "Не, не, не"
        topics = {
            self.clause_of(it.pos)
            for it in self.items
            if not it.value and it.signal.startswith(_FIRM)  # "обслужване", "доставка"
        }
        for item in self.items:
            if item.value < 0 and item.signal.startswith(_MILD_KINDS):
                item.topical = self.clause_of(item.pos) in topics
                # A hedged complaint about a service ("малко грубо обслужване") stays one.
                hedged = self.clause_of(item.pos) in self.hedged
                item.mild = (item.mild or hedged) and not item.topical
        return self.items

    def _sentence_cues(self) -> None:
        """Cues read from a whole sentence (issue 14, second tweet round): a one-word comment
        after what it comments on ("„Таксите се вдигат“ Естествено.", "Без дебат. Ясно."), a
        complaint opened by "Пак" ("Пак чета за ръст на икономиката"), a question with
        "изобщо" ("Има ли изобщо някой, който да отговаря?") and relief ("Най-накрая си купих
        апартамент")."""
        start = 0
        for end in [*self.sentence_ends, len(self.tokens)]:
            words = [t for t in self.tokens[start:end] if t[0].isalnum()]
            asked = end < len(self.tokens) and "?" in self.tokens[end]
            praised = any(start <= it.pos < end and it.value > 0 for it in self.items)
            if len(words) == 1 and start and words[0] in lx.RESIGNED:
                self.items.append(_Item(-0.4, f"lexicon:{words[0]}.", start))
            elif start and self._resigned(words, end):
                self.items.append(_Item(-0.4, f"lexicon:{' '.join(words)}.", start))
            elif words[:1] == ["пак"] and words[1:2] not in (["ще"], ["ли"]) and not praised:
                # "Пак ще дойдем" is a promise; "Пак вали", "Пак ни вдигнаха таксата" a gripe;
                # "Пак ли има мач?" asks and "Пак ме разплака от кеф" is praise (bg17).
                self.items.append(_Item(-0.3, "lexicon:пак", start))
            if asked and "изобщо" in words:
                self.items.append(_Item(-0.4, "lexicon:изобщо?", start))
            if not lx.RELIEF.isdisjoint(words[:4]):
                # "Кога най-накрая ще отговорите?" is impatience, not relief.
                relief = _Item(-0.4 if asked else 0.4, "lexicon:най-накрая", start)
                self.items.append(relief)
            start = end + 1

    def _resigned(self, words: list[str], end: int) -> bool:
        """A short resigned comment after the fact, on a text with no praise (bg17): "Отново.",
        "Класика.", "Както винаги.", "Нищо ново."; "Тишина." only after a wait ("Седмица
        откакто подадох сигнала. Тишина.")."""
        if any(it.value > 0 for it in self.items):
            return False
        if len(words) == 1 and words[0] in lx.SILENCE:
            return self.duration or self.waiting or "откакто" in self.tokens
        if end < len(self.tokens) and "!" in self.tokens[end]:
            return False  # "Класика!" is praise
        return (len(words) == 1 and words[0] in lx.RESIGNED_PLAIN) or (
            tuple(words) in lx.RESIGNED_PHRASES
        )

    def clause_of(self, pos: int) -> int:
        return bisect.bisect_left(self.clause_breaks, pos)

    def _step(self, i: int, tok: str) -> int:
        end = self._phrase(i, tok)
        if end:
            return end
        if len(tok) > 3 and _ELONGATED.search(tok):
            squeezed = _ELONGATED.sub(r"\1", tok)  # "мнооого", "неее": stretched function words
            if squeezed in lx.INTENSIFIERS or squeezed in lx.NEGATORS:
                tok = self.tokens[i] = squeezed
        if tok in en_lx.EMOTICONS or tok in en_lx.EMOJI or tok in lx.EMOJI:
            value = en_lx.EMOTICONS.get(tok)
            kind = "emoticon"
            if value is None:
                value, kind = lx.EMOJI.get(tok, en_lx.EMOJI.get(tok, 0.0)), "emoji"
            self.items.append(_Item(value, f"{kind}:{tok}", i))
        elif tok[0] in _CLAUSE_BREAKS or tok[0] == "!":
            self.exclamations += tok.count("!")
            if "?!" in tok or "!?" in tok:  # "Защо пак няма вода?!": an outraged question
                self.items.append(_Item(-0.4, "lexicon:?!", i))
            self.clause_breaks.append(i)
            if tok[0] in _SENTENCE_ENDS:
                self.sentence_ends.append(i)
            self.clause_start = i + 1
            self.counterfactual_at = -99
            if tok[0] != "!":
                self.negated_at = self.absence_at = -99
            self.boost = 1.0
        elif tok == "не" and (end := self._advice(i)):
            return end
        elif tok in lx.HEDGES and (tok not in lx.INTENSIFIERS or self._standalone(i)):
            self.hedged.add(len(self.clause_breaks))
        elif tok in lx.NEGATORS and not self._affirming(i):
            self.negated_at = i
            if tok in lx.ABSENCE:
                self.absence_at = i
                self._missing(i)
        elif tok in lx.ABSENCE:
            self.absence_at = i
        elif tok in lx.NEGATION_BARRIERS:
            self.negated_at = self.absence_at = -99
            if tok in lx.BUT_WORDS:
                self.buts.append(i)
        elif tok in lx.COUNTERFACTUAL:
            self.counterfactual_at = i
        elif tok in lx.INTENSIFIERS and not self._standalone(i):
            self.boost = lx.INTENSIFIERS[tok]
            if tok in lx.HEDGES:
                self.hedged.add(len(self.clause_breaks))
            self.persistent = self.persistent or tok in lx.PERSISTENCE  # "пак" is both
        else:
            self._word(i, tok)
        return i + 1

    def _affirming(self, i: int) -> bool:
        """ "И това ако не е щастие", "ако това не е любов": it is, so "не" denies nothing."""
        before = self.tokens[max(0, i - 2) : i]
        nxt = self.tokens[i + 1] if i + 1 < len(self.tokens) else ""
        return nxt in ("е", "са") and before in (["това", "ако"], ["ако", "това"])

    def _phrase(self, i: int, tok: str) -> int:
        for words, value, signal in self.phrases.get(tok, ()):
            end = i + len(words)
            if tuple(self.tokens[i:end]) == words:
                if signal in ("negation", "hedge", "hedged negation"):
                    if signal != "hedge":
                        self.negated_at = end - 1
                    if signal != "negation":  # "на моменти"; "не особено" is a hedged denial
                        self.hedged.add(len(self.clause_breaks))
                else:
                    own = words[0] in lx.NEGATORS  # "не е зле" carries its own negation
                    if value > 0 and not own and i - self.negated_at <= NEGATION_SCOPE:
                        value *= -0.75  # "изобщо не е зле" stays mild; a negated phrase flips
                        self.signals.append("negation")
                    mild = signal in lx.MILD_VERDICTS
                    self.items.append(_Item(value * self.boost, signal, i, mild=mild))
                    self.boost = 1.0
                return end
        return 0

    def sentence_of(self, pos: int) -> int:
        """The index of the sentence token `pos` is in."""
        return bisect.bisect_left(self.sentence_ends, pos)

    def _missing(self, i: int) -> None:
        """The thing expected, then its absence: "интернет пак няма", "токът още го няма"."""
        if i + 1 < len(self.tokens) and self.tokens[i + 1] in lx.EXPECTATIONS:
            return  # "няма ток": scored on the noun
        for j in range(max(self.clause_start, i - 3), i):
            if self.tokens[j] in lx.EXPECTATIONS or lemma(self.tokens[j]) in lx.EXPECTATIONS:
                self.items.append(_Item(-0.6, f"complaint:няма {lemma(self.tokens[j])}", i))
                return

    def sentence_span(self, i: int) -> tuple[int, int]:
        """Start and end (its closing mark, or the text's end) of the sentence token `i` is in.
        Read from the tokens, so it holds during the run (ends ahead not yet seen) and after."""
        start = i
        while start and self.tokens[start - 1][0] not in _SENTENCE_ENDS:
            start -= 1
        end = i
        while end < len(self.tokens) and self.tokens[end][0] not in _SENTENCE_ENDS:
            end += 1
        return start, end

    def opens_sentence(self, i: int) -> bool:
        """Token `i` is the first of its sentence (`sentence_span(i)[0] == i`, in O(1))."""
        return i == 0 or self.tokens[i - 1][0] in _SENTENCE_ENDS

    def _figure(self, i: int) -> bool:
        """A number in the noun's sentence: the subject of a statistic ("22 % ... бедността")."""
        start, end = self.sentence_span(i)
        return any(t[0].isdigit() for t in self.tokens[start:end])

    def _late(self, i: int) -> bool:
        after = self.tokens[i + 1 : i + 4]
        return bool(after) and after[0] == "след" and any(t in lx.DURATIONS for t in after[1:])

    def _standalone(self, i: int) -> bool:
        """An intensifier that grades nothing is a word of its own: "Супер е!", "Невероятно!"."""
        nxt = self.tokens[i + 1] if i + 1 < len(self.tokens) else "."
        return nxt in ("е", "беше") or not nxt[0].isalnum()

    def _advice(self, i: int) -> int:
        """A negated imperative or conditional: "не купувайте от тях", "не бих го купил пак"
        warn, "не пропускайте" recommends."""
        j = i + 1
        conditional = j < len(self.tokens) and self.tokens[j] in ("бих", "бихме")
        j += conditional
        while j < len(self.tokens) and self.tokens[j] in lx.CLITICS:
            j += 1
        verb = self.tokens[j] if j < len(self.tokens) else ""
        if verb in (lx.WARNING_PARTICIPLES if conditional else lx.WARNING_VERBS):
            self.items.append(_Item(-0.6, "complaint:not recommended", i))
        elif verb in lx.ENCOURAGING_VERBS:
            self.items.append(_Item(0.4, "lexicon:не пропускайте", i))
        else:
            return 0
        self.boost = 1.0
        return j + 1

    def _word(self, i: int, tok: str) -> None:
        prev = self.tokens[i - 1] if i else ""
        if tok in lx.WAIT_WORDS:
            self.waiting = True
        elif tok in lx.WAIT_PLACES and prev == "на":
            self.queued = True  # "45 минути на телефона с банката"
        elif tok in lx.STAND_WORDS:
            self.standing = True
        elif tok in lx.DURATIONS:
            # "отговор до 14 дни", "в срок от 3 дни": a deadline, not a time waited; "до края
            # на месеца", "в началото на седмицата": a point in time, unless waited since
            # ("от началото на месеца") (bg16)
            point = prev == "на" and i > 1 and self.tokens[i - 2] in lx.TIME_POINTS
            deadline = (
                prev == "до"
                or (i > 1 and self.tokens[i - 2] in ("до", "срок") and prev[0].isdigit())
                or (point and self.tokens[i - 3 : i - 2] != ["от"])
            )
            self.duration = self.duration or not deadline
        elif tok in lx.PERSISTENCE:
            self.persistent = True
        elif tok[0].isdigit() and prev == "от":
            self.duration = True  # "чакам от 9": a start time is a duration
        elif tok == "0" and self._zero_count(i):
            self._add(_Item(-0.5, "complaint:zero", i), negated=False)
            return
        elif tok == "0" and self._negative_next(i):
            self.negated_at = i  # "0 загуби": none of a bad thing, as "без загуби"
            return
        if tok in lx.EXPECTATIONS and i - self.absence_at <= 2:
            # "няма ток", "без интернет", "никакъв отговор": the commonest complaint shape.
            self._add(_Item(-0.6, f"complaint:няма {lemma(tok)}", i), negated=False)
            return
        if tok in lx.RISE_VERBS and (self._price_before(i) or self._price_after(i)):
            self._add(_Item(-0.5, "lexicon:поскъпване", i), negated=i - self.negated_at <= 2)
            return
        if tok in lx.BECOMES and i + 1 < len(self.tokens):
            after = self.tokens[i + 1]
            if after[0].isalnum() and after != "за":
                return  # "таксата става 3 лева": becomes, not "it'll do"
        if tok in lx.HIGH and i + 1 < len(self.tokens) and self.tokens[i + 1] in lx.PRICE_WORDS:
            self._add(_Item(-0.5, "complaint:high prices", i), negated=i - self.negated_at <= 2)
            return
        if tok in lx.ARRIVALS and self._late(i):
            # "пристигна след месец", "дойдоха след три дни": a delivery or visit that was late.
            self._add(_Item(-0.5, "complaint:late", i), negated=False)
            return
        if tok in lx.DREAD_INTENSIFIERS and self._positive_next(i):
            self.boost = max(self.boost, 1.5)  # "ужасно добър", "лудо хубав": degree, not dread
            return
        degree = lx.DEGREE_ADJECTIVES.get(lemma(tok)) or lx.DEGREE_ADJECTIVES.get(tok)
        if degree and self._negative_next(i) and (_lookup(tok) or (0.0, ""))[0] >= 0:
            self.boost = max(self.boost, degree)  # "пълна боза", "уникална тъпня"
            return
        entry = _lookup(tok)
        stretched = False
        if entry is None and len(tok) > 3:
            squeezed = _ELONGATED.sub(r"\1", tok)  # "ужаааасно" -> "ужасно"
            if squeezed != tok:
                entry, stretched = _lookup(squeezed), True
        if entry is None and stretched and squeezed in lx.CHEERS:
            entry = (lx.CHEERS[squeezed], f"lexicon:{squeezed}")
        if entry is None:
            return
        value, signal = entry
        if value > 0 and tok in self.names:
            return  # a name, not praise: "певицата Мила", "Слави каза", "с Надежда"
        if signal in lx.OWN_ACT_SIGNALS and (
            tok in lx.OWN_ACTS or (i and self.tokens[i - 1] == "ме" and tok.startswith("спр"))
        ):
            return  # "да спра картата", "изтеглих 200 лева", "ме спряха за проверка": no outage
        # A planned or cause-given outage ("планираните прекъсвания", "спиране на водата заради
        # авария") keeps its valence here: `_neutral_register` drops it unless the text takes a
        # stance ("Спряха тока заради авария, а ние сме с бебе") (bg14).
        if value < 0 and tok.startswith(lx.STAT_NOUNS) and self._figure(i):
            value = 0.0  # "безработицата е 4,1 %": a statistic of a bad thing, not a complaint
        value *= self.boost * (1.3 if stretched else 1.0)
        negated = i - self.negated_at <= NEGATION_SCOPE
        # "можеше и по-добре": praise that could have been is mild blame, not a complaint.
        could_have = value > 0 and i - self.counterfactual_at <= lx.COUNTERFACTUAL_SCOPE
        negated = negated or could_have
        graded = tok.startswith(("по-", "най-")) or (i and self.tokens[i - 1] in ("по", "най"))
        if negated and graded and self._superlative(i):
            negated = False  # "няма по-тъп филм", "не бях виждал по-тъп": superlatives
        item = _Item(
            value,
            signal,
            i,
            ironic_frame=value > 0 and self._ironic_frame(i),
            prone=tok in lx.SARCASM_PRONE,
            quoted=tok in self.quoted,
            mild=could_have or self._compared(i, tok),
        )
        self._add(item, negated=negated)

    def _price_before(self, i: int) -> bool:
        """A price or bill word in the four tokens before, in this clause ("цените на тока")."""
        # Clitics and the auxiliary do not count: "Таксата за смет ми се е вдигнала" (bg17).
        window = self.tokens[max(self.clause_start, i - 8) : i]
        before = [t for t in window if t not in lx.CLITICS and t not in ("се", "е", "са")][-4:]
        return any(t in lx.PRICE_WORDS or lemma(t) in lx.PRICE_WORDS for t in before)

    def _price_after(self, i: int) -> bool:
        """A price word right after a rise verb, clitics skipped: "вдигнаха ни таксата"."""
        after = [t for t in self.tokens[i + 1 : i + 4] if t not in lx.CLITICS]
        return bool(after) and (after[0] in lx.PRICE_WORDS or lemma(after[0]) in lx.PRICE_WORDS)

    def _superlative(self, i: int) -> bool:
        """A denied comparative that means "the most": "няма по-тъп", "не съм виждал по-слаб"
        (an experience participle between the denial and the comparative)."""
        j = i - 1 if self.tokens[i - 1] not in ("по", "най") else i - 2  # "няма по тъп"
        if j >= 0 and self.tokens[j] in lx.ABSENCE:
            return True
        between = self.tokens[max(self.negated_at + 1, 0) : i]
        return any(t.endswith(("ал", "ял", "ла", "ел", "ил")) and len(t) > 4 for t in between)

    def _compared(self, i: int, tok: str) -> bool:
        """A comparative measured against something named after it ("по-слаб от първия",
        "по-зле от книгата") is relative blame, not a verdict of its own; denied, it is a
        superlative ("няма по-слаб оператор от тях", "не бях гледал по-тъп филм от този")."""
        if not (tok.startswith("по-") or (i and self.tokens[i - 1] == "по")):
            return False
        if any(t in lx.NEGATORS for t in self.tokens[max(self.clause_start, i - 4) : i]):
            return False
        if "още" in self.tokens[max(0, i - 2) : i]:
            return False  # "още по-тъп от миналия": the first was bad too, no relative blame
        after = self.tokens[i + 1 : i + 4]
        return "от" in after and not any(t in lx.EVER for t in after)

    def _positive_next(self, i: int) -> bool:
        nxt = self.tokens[i + 1] if i + 1 < len(self.tokens) else ""
        entry = _lookup(nxt) if nxt[:1].isalpha() else None
        return entry is not None and entry[0] > 0

    def _fond(self) -> bool:
        """Family, friends or pets in the tweet: "час на телефона с баба" is no queue."""
        return any(t in lx.FOND_OF or lemma(t) in lx.FOND_OF for t in self.tokens)

    def _zero_count(self, i: int) -> bool:
        """ "0 отговора", "0 от 3 банкомата работят": nothing of a thing counted, in a tweet of
        counts ("5 имейла, 2 седмици, 0 отговора"). Not a price, a temperature or a score."""
        toks = self.tokens
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        decimal = i > 1 and toks[i - 1] == "," and toks[i - 2][0].isdigit()  # "13,0"
        if not nxt[:1].isalpha() or nxt in lx.ZERO_UNITS or decimal or toks[i - 1 : i] == [":"]:
            return False
        if self._negative_next(i):
            return False  # "0 загуби в 10 мача": none of a bad thing
        return any(t[0].isdigit() and t != "0" for t in toks)

    def _clock_wait(self) -> bool:
        """ "От 8 чакам техник. Сега е 14:30.", "Пишем им от сряда. Днес е понеделник.": a
        sentence telling the time now, after a sentence that gave an earlier time or a start
        day. "Срещата е в 10. Сега е 9:30" is not a wait: now is before the time given."""
        toks = self.tokens
        for end in self.sentence_ends:
            head = toks[end + 1 : end + 4]
            if head[:1] and head[0] in lx.ORDINALS and head[1:2] and head[1] in lx.COUNTED:
                # "Обещаха ремонт до лятото. Трета година е.": the wait counted, on its own.
                _, stop = self.sentence_span(end + 1)
                if sum(t[0].isalnum() for t in toks[end + 1 : stop]) <= 3:
                    return True
            if len(head) < 3 or head[0] not in lx.NOW_WORDS or head[1] != "е":
                continue
            earlier = toks[:end]
            if head[2] in lx.WEEKDAYS:
                if any(a == "от" and b in lx.WEEKDAYS for a, b in itertools.pairwise(earlier)):
                    return True
            elif head[2].isdigit():
                then = next((k for k, t in enumerate(earlier) if t.isdigit()), None)
                if then is not None and _hour(earlier, then) < _hour(toks, end + 3):
                    return True
        return False

    def _negative_next(self, i: int) -> bool:
        nxt = self.tokens[i + 1] if i + 1 < len(self.tokens) else ""
        if not nxt[:1].isalpha():
            return False
        entry = _lookup(nxt) or _lookup(_ELONGATED.sub(r"\1", nxt))
        return entry is not None and entry[0] < 0

    def _add(self, item: _Item, *, negated: bool) -> None:
        if negated and item.value:
            # "не е добре" is negative; "не е лошо" only mildly positive (as in English); strong
            # praise denied is only faint blame ("не е нещо уникално", "не е най-добрият").
            item.negated_praise = 0 < item.value < STRONG_PRAISE
            if item.value >= STRONG_PRAISE:
                item.value = DENIED_STRONG_PRAISE
            else:
                item.value *= -0.75 if item.value > 0 else -0.4
            item.ironic_frame = item.quoted = False
            self.signals.append("negation")
            self.negated_at = -99
        self.boost = 1.0
        self.items.append(item)

    def _ironic_frame(self, i: int) -> bool:
        """Praise opening a clause as an interjection: "Браво, …", "Страхотно! …", "Колко мило,
        …", "Страхотна услуга, …", "Браво на …", "Благодаря за …", "Обичам да …"."""
        if i - self.clause_start > 1:
            return False
        after = self.tokens[i + 1 : i + 4]
        if not after or after[0] in ("на", "за", "ви", "да"):
            return True
        return any(not t[0].isalnum() and t not in en_lx.EMOJI for t in after) or len(after) < 3


def _apply_sarcasm(
    items: list[_Item],
    tagged: bool,
    signals: list[str],
    again: bool,
    question: bool,
    sentence: Callable[[int], int],
) -> None:
    """Praise framed as an interjection next to a complaint, or "again", is irony: "Браво, пак
    няма ток", "Страхотно, третата студена пица". A word often said ironically ("браво",
    "благодаря") needs strong blame in its sentence or a complaint in the one before or after
    ("Браво! Пак няма ток."); other praise a complaint or crisis term in its sentence or the
    one before ("Прекрасно, пак грешна поръчка"), so "Добър филм, но малко бавен"
    stays mixed and "Страхотен филм! Ще го гледам пак" praise ("again" counts only next to
    blame). Praise
    in scare quotes next to any blame or a question is irony too ("Това ли е "бързата"
    доставка?")."""
    # Next to a service topic too: "Колко "бърза" доставка, 12 дни".
    blamed_any = question or any(it.value < 0 or it.signal.startswith("complaint:") for it in items)
    for item in items:  # scare-quoted praise first: it is blame for the frames below
        if item.quoted and item.value > 0 and blamed_any:
            item.value = -0.5 * item.value
            signals.append("sarcasm")
    # Applause beside strong blame or a complaint in its sentence is slow clapping: "Страхотно
    # правителство, само краде 👏". Turned first: then it is no praise for the frames below.
    harsh = {
        sentence(it.pos)
        for it in items
        if it.value <= STRONG_NEGATIVE or (it.value < 0 and it.signal.startswith(_FIRM))
    }
    for item in items:
        if item.value > 0 and item.signal in _IRONIC_EMOJI and sentence(item.pos) in harsh:
            item.value = -0.5 * item.value
            signals.append("sarcasm")
    blamed = [it for it in items if it.value < 0]
    firm_in = {sentence(it.pos) for it in blamed if it.signal.startswith(_FIRM)}
    strong_in = firm_in | {sentence(it.pos) for it in blamed if it.value <= STRONG_NEGATIVE}
    if again:  # "пак" makes any blame a complaint
        firm_in |= {sentence(it.pos) for it in blamed}
        strong_in |= firm_in
    # Thanks for something praised ("Благодарим ви за бързата реакция при аварията") is sincere.
    # A praise word said twice is one praise: "Браво, момчета, браво." (sixth tweet round).
    praised = {(sentence(it.pos), it.signal) for it in items if it.value > 0 and not it.quoted}
    praised_in = Counter(here for here, _ in praised)
    for item in items:
        if item.value <= 0:
            continue
        here = sentence(item.pos)
        framed = (
            item.ironic_frame
            and item.value >= IRONIC_MIN
            and praised_in[here] == 1
            and (
                here in strong_in or not firm_in.isdisjoint((here - 1, here + 1))
                if item.prone
                else not firm_in.isdisjoint((here, here - 1))
            )
        )
        if tagged or framed:
            item.value = -0.5 * item.value
            signals.append("sarcasm")


_SO_MUCH_FOR = re.compile(r'(?:^|[.!?…]\s*)толкова за\s*["„“«]')


def _implicit_cues(clean: str, s: _Scorer, items: list[_Item]) -> None:
    """Complaints a Bulgarian tells with no negative word (issue 14, bg17), read per sentence:
    "И това ако е обслужване…"; rhetorical questions ("Кога ли ще се научат …", "Колко пъти
    трябва да звъня …?", "Как така … не могат …?", "Как може да няма …?");
    "Толкова за „…“"; attempts counted ("Три обаждания, два имейла …"); "N-ти … подред"; a span
    counted from the sentence's start ("Пети ден вали", "Четвърта зима с течащия покрив"; not
    "Трети ден от фестивала" or "Вече трети ден съм в Берлин"); "пак" after a sigh ("Лелеее, пак
    тия реклами") or after praise said as an interjection ("Браво на общината, пак разкопаха
    …": then `_apply_sarcasm` turns the praise). Run before `_apply_sarcasm`; a sentence with
    praise in it keeps its praise ("Трета победа подред!", "Браво, пак победихме!")."""
    toks = s.tokens
    if lx.IMPLICIT_TRIGGERS.isdisjoint(toks):  # cheap test first: most texts have none
        return
    added: list[_Item] = []
    start = 0
    for end in [*s.sentence_ends, len(toks)]:
        _praise_then_list(toks, start, end, items)
        span = range(start, end)
        words = [t for t in toks[start:end] if t[0].isalnum()]
        asked = end < len(toks) and "?" in toks[end]
        # Praise of the sentence, not a complaint's topic word scored up ("студена вода").
        if asked and "кога" in words and not lx.RELIEF.isdisjoint(words):
            # "Кога най-после ще има нормални пътища?": the good word is what is missing.
            for it in items:
                if it.pos in span and it.value > 0:
                    it.value = 0.0
        praised = any(
            it.pos in span and it.value > 0 and not it.signal.startswith("complaint:")
            for it in items
        )
        here = _again_after_frame(toks, start, end, items) or _sentence_cue(
            toks, start, end, words, asked, praised, items
        )
        if here:
            added.append(_Item(-0.5 if here.startswith("complaint:") else -0.4, here, start))
        start = end + 1
    if _odd_hour(toks, items):
        added.append(_Item(-0.4, "complaint:odd hour", 0))
    if _SO_MUCH_FOR.search(clean):
        added.append(_Item(-0.5, "complaint:толкова за", 0))
    if _attempts(toks) and not any(it.value > 0 for it in items):
        added.append(_Item(-0.5, "complaint:attempts", 0))
    items.extend(added)


def _odd_hour(toks: list[str], items: list[_Item]) -> bool:
    """Praise or thanks that open a text about something done to the writer at dawn on a
    weekend (a clitic "ми/ни", the neighbours, a noise) are irony (bg17): "Много мило от
    съседите да пробиват стената в 7 сутринта в неделя.", "Обожавам, когато ми звънят в 8 в
    събота"; not "Браво на пекарната, отваря в 6 и в неделя!". The praise is marked an ironic
    frame for `_apply_sarcasm`."""
    if lx.WEEKEND.isdisjoint(toks) or lx.DISTURBED.isdisjoint(toks):
        return False  # "Браво на пекарната, отваря в 6 и в неделя!": nobody disturbed
    dawn = any(
        toks[k - 1] == "в" and toks[k].isdigit() and 4 <= int(toks[k]) <= 8
        for k in range(1, len(toks))
    )
    first = next((it for it in items if it.value > 0), None)
    if not dawn or first is None or first.pos > 2 or any(it.value < 0 for it in items):
        return False
    first.ironic_frame = first.prone = True
    return True


def _praise_then_list(toks: list[str], start: int, end: int, items: list[_Item]) -> None:
    """Praise that opens a sentence and announces, after a colon, only bad things is irony:
    "Страхотно начало на седмицата: спукана гума и изпуснат влак." (bg17). Marked as an ironic
    frame, so `_apply_sarcasm` turns it; "Страхотна новина: откриват библиотека" stays praise."""
    colon = next((k for k in range(start, min(end, start + 6)) if toks[k] == ":"), None)
    if colon is None:
        return
    head = [it for it in items if start <= it.pos < colon and it.value > 0]
    tail = [it for it in items if colon < it.pos < end and it.value]
    if head and head[0].pos == start and tail and all(it.value < 0 for it in tail):
        # Prone, as "браво": strong blame in its sentence (the list) is enough to turn it.
        head[0].ironic_frame = head[0].prone = True


def _sentence_cue(
    toks: list[str],
    start: int,
    end: int,
    words: list[str],
    asked: bool,
    praised: bool,
    items: list[_Item],
) -> str:
    """The signal of one sentence's implicit complaint, or ""."""
    if words[:4] == ["и", "това", "ако", "е"] or words[:3] == ["това", "ако", "е"]:
        return "complaint:и това ако е"
    pairs = set(itertools.pairwise(words))
    if any(a in lx.WHEN_WORDS and b == "ли" for a, b in pairs) and "ще" in words:
        return "lexicon:rhetorical"  # "Кога ли ще се научат …"
    if ("колко", "пъти") in pairs:
        k = words.index("пъти")
        nxt = words[k + 1 : k + 5]
        asking = [w for w in nxt if w not in ("трябва", "да", "още", "ли")][:1]
        # "Колко пъти трябва да звъня", "… да ви казвам", "Колко пъти още …"; not "Колко пъти
        # трябва да се полива кактус?" or "Колко пъти да се пие лекарството?"
        told = bool(asking) and asking[0] != "се"
        if "още" in nxt or (told and (asking[0] in lx.CLITICS or asking[0] in lx.ASKING)):
            return "lexicon:rhetorical"
    negated = not lx.NEGATORS.isdisjoint(words)
    if words[:2] == ["как", "така"] and negated:
        return "lexicon:rhetorical"
    if ("как", "може") in pairs:
        k = words.index("може")
        if not lx.NEGATORS.isdisjoint(words[k + 1 : k + 3]):
            return "lexicon:rhetorical"  # "Как може да няма …?"
    if words[-3:] in (["щото", "аз", "не"], ["защото", "аз", "не"]) and words[0] != "защото":
        return "complaint:щото аз не"  # "Някой да е виждал автобус 76 днес? Щото аз не."
    if "пак" in words and not lx.SAME.isdisjoint(words) and not {"сте", "си", "ще"} & set(words):
        # "Пак ли ремонт на същата улица?"; not "Отново гласувах в същото училище", "Пак ли сте
        # на същото място?" (asking the addressee) or a plan
        return "complaint:same again"
    if praised or asked:
        return ""
    if not lx.IN_A_ROW.isdisjoint(words):
        k = next(j for j, w in enumerate(words) if w in lx.IN_A_ROW)
        if any(w in lx.ORDINAL_FORMS or w[0].isdigit() for w in words[max(0, k - 3) : k]):
            return "complaint:in a row"
    head = words[1:] if words[:1] == ["вече"] else words
    if (
        len(head) > 2
        and head[0] in lx.ORDINAL_FORMS
        and head[1] in lx.COUNTED_SPANS
        and (head[2] not in lx.SPAN_PLACE or not lx.BUT_WORDS.isdisjoint(words) or "а" in words)
    ):
        return "complaint:span counted"
    return ""


def _again_after_frame(toks: list[str], start: int, end: int, items: list[_Item]) -> str:
    """ "пак" after a sigh ("Лелеее, пак тия реклами") or after praise said as an interjection
    ("Браво на общината, пак разкопаха …", "Супер, точно днес … метрото пак стои"), with no
    other praise in the sentence ("Браво, пак победихме!" stays praise)."""
    for k in range(start, end):
        nxt = toks[k + 1] if k + 1 < end else ""
        if toks[k] != "пак" or not nxt[:1].isalpha() or nxt in lx.AGAIN_NOT:
            continue  # "…, ще го гледам пак!", "пак ще дойдем": a promise
        if "ще" in toks[start:k]:
            continue
        lead = [_ELONGATED.sub(r"\1", t) for t in toks[start:k] if t[0].isalnum()]
        sigh = bool(lead) and set(lead) <= lx.INTERJECTIONS
        here = [it for it in items if start <= it.pos < end and it.value > 0]
        framed = bool(here) and all(it.ironic_frame and it.pos < k for it in here)
        if (sigh and not here) or framed:
            return "lexicon:пак"
    return ""


def _attempts(toks: list[str]) -> bool:
    """Requests counted ("Три обаждания, два имейла и една лична среща. Проблемът си стои.",
    "… след 5 месеца и 7 имейла"): two counts, or one with "нищо", "още", "след", …."""
    counted = sum(
        1
        for a, b in itertools.pairwise(toks)
        if b in lx.CONTACT_NOUNS and (a[0].isdigit() or a in lx.NUMBER_WORDS or a in lx.COUNTS)
    )
    return counted >= 2 or (counted == 1 and not lx.ATTEMPTS_CONTEXT.isdisjoint(toks))


def _contrast_weight(s: _Scorer, pos: int) -> float:
    """Weight of an item by the contrast word ("но") of its sentence: after it counts more."""
    start, end = -1, 1 << 30
    for e in s.sentence_ends:
        if e < pos:
            start = e
        else:
            end = e
            break
    weight = 1.0
    for b in s.buts:
        if start < b < end:
            weight = 1.5 if pos > b else 0.5
    return weight


def _rules_total(s: _Scorer, items: list[_Item]) -> float:
    total = 0.0
    for item in items:
        value = item.value * _contrast_weight(s, item.pos)
        if s.persistent and value < 0 and item.signal.startswith("complaint"):
            value *= 1.3
        total += value
    if s.exclamations:
        total *= 1.0 + 0.1 * min(s.exclamations, 3)
    return total


# --- model ----------------------------------------------------------------------------------


def feature_ids(toks: list[str]) -> list[int]:
    """Hashed lemma unigrams and bigrams of a token list (shared with the training script): the
    CRC-32 of each lemma, then of each "lemma lemma" pair, modulo HASH_BUCKETS. A pair's CRC is
    carried on from its first lemma's (`_token_feature`), so only the second lemma is hashed."""
    feats = [f for f in map(_token_feature, toks) if f is not None]
    mask = HASH_BUCKETS - 1
    ids = [f[0] for f in feats]
    ids.extend(zlib.crc32(b[2], a[1]) & mask for a, b in itertools.pairwise(feats))
    return ids


@lru_cache(maxsize=1 << 15)
def _token_feature(tok: str) -> tuple[int, int, bytes] | None:
    """A token's unigram id, the running CRC-32 of "lemma " (a pair's start) and the lemma's
    bytes (a pair's end); None for punctuation other than "!"."""
    if not (tok[0].isalnum() or tok[0] == "!"):
        return None
    raw = lemma(tok).encode()
    crc = zlib.crc32(raw)
    return crc & (HASH_BUCKETS - 1), zlib.crc32(b" ", crc), raw


@dataclass(frozen=True, slots=True)
class Model:
    """Weights over hashed features, bias, and how the logit joins the rules' total."""

    weights: array[float]
    bias: float
    threshold: float  # logits above this count as negative evidence
    weight: float  # total -= weight * (logit - threshold)
    bar: float = 0.0  # without a negative cue of the rules, evidence only from logits above this
    keep: float = VETO_KEEP  # below the threshold, a negative total keeps at least this share
    min_ids: float = 0.0  # without a cue, evidence only from texts with this many n-grams (bg16)

    def logit(self, toks: list[str]) -> float:
        """Logit of "negative": bias plus the features' weights over sqrt(feature count)."""
        return self.logit_of(feature_ids(toks))

    def logit_of(self, ids: list[int]) -> float:
        if not ids:
            return self.bias
        return self.bias + sum(map(self.weights.__getitem__, ids)) / math.sqrt(len(ids))

    def to_bytes(self) -> bytes:
        tail = (self.bias, self.threshold, self.weight, self.bar, self.keep, self.min_ids)
        return (self.weights + array("f", tail)).tobytes()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Model:
        """The file: HASH_BUCKETS float32 weights, then bias, threshold, weight, bar, keep and
        min_ids (an older file without the last ones gets their defaults)."""
        data = array("f")
        data.frombytes(raw)
        if len(data) not in (HASH_BUCKETS + 3, HASH_BUCKETS + 5, HASH_BUCKETS + 6):
            raise ValueError(f"{MODEL_FILE}: expected {HASH_BUCKETS + 6} floats, got {len(data)}")
        return cls(data[:HASH_BUCKETS], *(float(x) for x in data[HASH_BUCKETS:]))


@cache
def model() -> Model | None:
    """The locally trained model, or None when there is none (rules only)."""
    try:
        raw = resources.files("detectors").joinpath(MODEL_FILE).read_bytes()
    except FileNotFoundError:
        return None
    return Model.from_bytes(raw)


# --- entry point ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scored:
    polarity: float
    label: Label
    signals: tuple[str, ...]


def _label(polarity: float) -> Label:
    if polarity <= NEGATIVE_BELOW:
        return "negative"
    return "positive" if polarity >= POSITIVE_ABOVE else "neutral"


def rules(text: str) -> tuple[float, list[str], list[str], list[_Item]]:
    """The rules' total (before the model), the tokens, signals and scored items."""
    clean, shouted, sarcasm_tag = normalise(text or "")
    toks = tokens(clean)
    scorer = _Scorer(toks, _quoted_words(clean))
    scorer.names = _names(text or "")
    items = scorer.run()
    signals = scorer.signals
    _comment_on_quote(clean, scorer, items)
    _unask(scorer, items)
    _tears_of_joy(scorer, items)
    _match_report(clean, scorer, items)
    _work_about(scorer, items)
    _mocking_laughter(clean, scorer, items, signals)
    _prices_then_and_now(scorer, items)
    _what_about(scorer, items)
    _joke_withdrawn(scorer, items, signals)
    _numbers_shouts_and_laughter(scorer, items)
    _marks_turns_and_taunts(clean, "http" in (text or ""), scorer, items)
    _implicit_cues(clean, scorer, items)
    _apply_sarcasm(items, sarcasm_tag, signals, scorer.persistent, "?" in clean, scorer.sentence_of)
    _threats(scorer, items)
    _neutral_register(scorer, items, signals)
    _bare_facts(scorer, items, signals)
    _plain_fact(clean, scorer, items, signals)
    total = _rules_total(scorer, items)
    if shouted and total < 0:
        total *= 1.2
        signals.append("caps")
    if total >= POSITIVE_ABOVE and _mixed_review(items):
        total = POSITIVE_ABOVE - 0.02
        signals.append("mixed")
    if total < MIXED_CAP and is_mixed(items):
        total = MIXED_CAP
        signals.append("mixed")
    elif total < MIXED_CAP and is_mild(items):
        total = MIXED_CAP
        signals.append("mild")
    return total, toks, signals, items


def _eventish(toks: list[str], it: _Item) -> bool:
    """A negative cue that names an event ("авария", "кражба", "задръстване"), not an opinion;
    as a predicate ("Това е кражба") it is blame."""
    tok = toks[it.pos] if it.pos < len(toks) else ""
    predicate = 0 < it.pos <= len(toks) and toks[it.pos - 1] in lx.COPULAS
    if predicate and not tok.endswith(lx.PARTICIPLE_ENDINGS):  # "са задържани": passive
        return False
    if it.signal == "urgency:докога":  # "До кога може да се плати …?" asks for a date
        return toks[it.pos + 2 : it.pos + 3] in (["може"], ["трябва"], ["се"], ["е"])
    return it.signal.startswith(lx.EVENT_SIGNALS) or it.signal in lx.NEWS_EVENTS


def _stance(s: _Scorer, items: list[_Item], signals: list[str]) -> bool:
    """Blame, feeling or insistence anywhere in the text: an exclamation, an intensifier, a
    negated verb ("не идва"), persistence or absence ("пак", "вече", "никой", "нито"), a
    contrast ("…, а парите още не са върнати"), a duration or an ordinal ("от седмица", "трети
    ден"), irony, or any negative cue that is an opinion rather than an event."""
    toks = s.tokens
    if s.exclamations or any(sig.startswith("sarcasm") for sig in signals):
        return True
    words = set(toks)
    threat = any(it.signal == "crisis:legal" for it in items)
    if (
        not words.isdisjoint(lx.STANCE_WORDS)
        or not words.isdisjoint(lx.INTENSIFIERS)
        or not words.isdisjoint(lx.ORDINAL_FORMS)
        or not words.isdisjoint(lx.SINCE_CLAUSE)
        or "не" in words
    ):
        return True
    for it in items:  # the writer hit by the event: "ще ни спрат водата", "спряха ни газта"
        near = toks[max(it.pos - 1, 0) : it.pos + 2]
        if it.value < 0 and not lx.AFFECTED_CLITICS.isdisjoint(near):
            return True
    for k, tok in enumerate(toks):
        if tok == "от" and _time_waited(toks[k + 1 : k + 3]):
            return True
        if tok == "ще" and toks[k + 1 : k + 2] in (["ви"], ["те"]) and threat:
            return True  # "Ще ви съдя": a threat to the addressee, not a schedule
        if tok == "предупреждение" and k and toks[k - 1] == "без":
            return True  # "спряха водата без предупреждение"
        stuck = tok in lx.STUCK and toks[k + 1 : k + 2] and toks[k + 1] in lx.PLACE_PREPOSITIONS
        if stuck and not (k and toks[k - 1] == "ще"):  # "ще чакаме на спирката": a plan
            return True  # "седим на летището", "чакаме на гарата": stuck there
        if tok in lx.BECOMES_LENGTH and not lx.DURATIONS.isdisjoint(toks[k + 1 : k + 4]):
            return True  # "в сряда ще стане месец без отговор": a wait reaching a length
        if tok in lx.CAUSES and toks[k + 1 : k + 2] and toks[k + 1] in lx.YOUR:
            return True  # "заради вашата грешка": the addressee is the cause
    for it in items:
        if it.value > 0 and (it.prone or it.ironic_frame or it.quoted):
            return True
        if it.value < 0 and not _eventish(toks, it):
            return True
    return False


def _time_waited(after: list[str]) -> bool:
    """What follows "от" tells a time waited: "от седмица", "от 3 часа", "от сутринта" (not a
    range, "от 9 до 16")."""
    if not after:
        return False
    if after[0] in lx.DURATIONS or after[0] in lx.SINCE_WORDS:
        return True
    return after[0][0].isdigit() and after[1:] != [] and after[1] in lx.DURATIONS


def _register(s: _Scorer, events: list[_Item]) -> bool:
    """A notice, a resolved event or a question asking for information: a schedule ("утре",
    a weekday, "ще", "от 9 до 16", "до 18 ч."), a resolution ("овладян", "няма пострадали"),
    a neutral cause ("заради мъглата", "поради ремонт") or an enquiry ("Има ли спиране на
    водата?", "Как се подава сигнал?") that holds every event: "Има ли авария? Нямаме интернет."
    asks, then complains."""
    toks = s.tokens
    words = set(toks)
    if not words.isdisjoint(lx.SCHEDULE) or any(t.startswith(lx.PLANNED) for t in toks):
        return True
    for k, (tok, nxt) in enumerate(itertools.pairwise(toks)):
        if (
            tok in lx.RANGE_WORDS
            and nxt[0].isdigit()
            and (tok != "от" or "до" in toks[k + 2 : k + 5])
        ):
            return True
        if tok[0].isdigit() and nxt in lx.CLOCK_UNITS:
            return True
        if (tok, nxt) in lx.RESOLVED_PHRASES:
            return True
        if tok in lx.CAUSES and any(t.startswith(lx.NEUTRAL_CAUSES) for t in toks[k + 1 : k + 3]):
            return True
    if any(t.startswith(lx.RESOLVED) or t in lx.REPORTED for t in toks):
        return True
    asked_in: set[int] = set()
    start = 0
    for n, end in enumerate(s.sentence_ends):
        if "?" in toks[end] and end > start:
            first = toks[start : start + 2]
            opener = first[0] in lx.INFO_OPENERS and first[1:] != ["може"]  # "Как може …?!"
            if opener or tuple(first) in lx.INFO_PAIRS:
                asked_in.add(n)
        start = end + 1
    return bool(asked_in) and all(s.sentence_of(it.pos) in asked_in for it in events)


def _threats(s: _Scorer, items: list[_Item]) -> None:
    """A conditional threat or a warning to the addressee is a complaint (bg14): "Ако до утре
    не оправите интернета, ще прекратя договора", "Предупреждавам ви: следващата стъпка е
    адвокат". The threatened act is the writer's ("ще прекратя"): "Ако не сте доволни, ще ви
    върнем парите" is an offer."""
    toks = s.tokens
    for k, tok in enumerate(toks):
        if tok in lx.WARN_VERBS and toks[k + 1 : k + 2] == ["ви"]:
            items.append(_Item(-0.5, "complaint:threat", k))
            return
        if tok != "ако":
            continue
        clause = toks[k : s.sentence_span(k)[1]]
        if "не" not in clause or "ще" not in clause[clause.index("не") :]:
            continue
        no = clause.index("не")
        will = no + clause[no:].index("ще")
        yours = any(t.endswith("те") and t != "сте" for t in clause[no + 1 : min(no + 3, will)])
        act = clause[will + 1 : will + 2]
        if yours and act and act[0] not in lx.CLITICS and act[0].endswith(lx.OWN_VERB_ENDINGS):
            items.append(_Item(-0.5, "complaint:threat", k))
            return


_DATE = re.compile(r"^\d{1,2}(-(ти|ви|ри|ми|и|ий|о|ия|ята))?$|^\d{1,2}:\d{2}$")


def _dateish(tok: str) -> bool:
    """A weekday, month, date ("3-ти"), clock time or a time word ("утре", "седмица")."""
    return tok in lx.TIME_WORDS or tok in lx.NUMBER_WORDS or bool(_DATE.match(tok))


def _amount(toks: list[str], k: int) -> float | None:
    """The number at `k` ("15", "1 , 80" read as 1.80), else None."""
    if not toks[k].isdigit():
        return None
    value = float(toks[k])
    cents = toks[k + 2] if toks[k + 1 : k + 2] == [","] and k + 2 < len(toks) else ""
    if cents.isdigit() and len(cents) == 2:
        value += float(toks[k + 2]) / 100
    return value


def _clock(toks: list[str], k: int) -> float:
    """The clock time opening at `k` ("7 : 55", as tokenised) in hours, else 0.0."""
    if not toks[k].isdigit() or len(toks[k]) > 2 or toks[k + 1 : k + 2] != [":"]:
        return 0.0
    minutes = toks[k + 2] if k + 2 < len(toks) else ""
    return int(toks[k]) + int(minutes) / 60 if minutes.isdigit() and len(minutes) == 2 else 0.0


def _now_is(toks: list[str], j: int) -> bool:
    """ "Днес е петък", "сега е декември", "вече е шест вечерта", "часът е 14:30"."""
    if toks[j] not in lx.NOW_WORDS or toks[j + 1 : j + 2] != ["е"]:
        return False
    return any(_dateish(t) for t in toks[j + 2 : j + 4])


def _broken_promise(s: _Scorer) -> str:
    """A promise, plan or schedule and what came of it, told as bare facts (bg15): the kind of
    the first such fact (`_bare_readers`, in order, at each token), else ""."""
    toks = s.tokens
    if lx.BARE_TRIGGERS.isdisjoint(toks) or _kept(toks):  # cheap test first: most have none
        return ""
    readers = _bare_readers()
    for k, tok in enumerate(toks):
        for kind, found in readers.get(tok) or (_CLOCK_READER if tok.isdigit() else ()):
            if found(s, k):
                return kind
    return ""


def _repeated(toks: list[str], k: int) -> bool:
    """ "за кой ли път", "вече трети път"."""
    nxt = toks[k + 1 : k + 4]
    if (
        toks[k] == "за"
        and nxt[:2] in (["кой", "ли"], ["кои", "ли"])
        and nxt[2:] in (["път"], ["пат"])
    ):
        return True
    return toks[k] == "вече" and ("път" in nxt or "пат" in nxt or "пъти" in nxt)


def _stuck(toks: list[str], k: int) -> bool:
    """ "Пратката е в Русе от 9 дни и не мърда"."""
    return toks[k] == "не" and toks[k + 1 : k + 2] in (
        ["мърда"],
        ["мърдат"],
        ["помръдва"],
        ["помръдна"],
    )


def _scheduled_clock(toks: list[str]) -> float:
    """The text's first clock time in hours when it is a schedule ("По разписание е в 7:10",
    "трябваше да е тук в 9:00"), else 0.0."""
    for k in range(len(toks)):
        clock = _clock(toks, k)
        if clock:
            return clock if {"разписание", "трябваше"} & set(toks[: k + 1]) else 0.0
    return 0.0


def _late(s: _Scorer, k: int) -> bool:
    """A later sentence's arrival at least a quarter of an hour after the schedule: "По
    разписание е в 7:10. Дойде в 7:55."."""
    clock = _clock(s.tokens, k)
    if not clock or s.sentence_of(k) <= s.sentence_of(0):
        return False
    scheduled = _scheduled_clock(s.tokens)
    verb = s.tokens[k - 2 : k - 1]
    return bool(scheduled) and clock >= scheduled + 0.25 and bool(verb) and verb[0] in lx.ARRIVED


def _chak(s: _Scorer, k: int) -> bool:
    """ "Ще ми върнат парите чак в сряда"."""
    toks = s.tokens
    return toks[k] == "чак" and any(_dateish(t) for t in toks[k + 1 : k + 4])


def _uzh(s: _Scorer, k: int) -> bool:
    """ "Уж щяха да дойдат днес, а …"."""
    toks = s.tokens
    if toks[k] != "уж":
        return False
    nxt = toks[k + 1 : k + 2]
    return any(t in ("а", "но", "минаха") for t in toks[k + 1 :]) or nxt in (
        ["щяха"],
        ["щеше"],
        ["трябваше"],
        ["обещаха"],
    )


def _still_not(s: _Scorer, k: int) -> bool:
    """ "Още не е дошла", "все още без ток", unless the writer's own act or an answer to a
    question ("Кога ще дойде сметката? Още не е пристигнала.")."""
    toks = s.tokens
    if toks[k] != "още":
        return False
    after = toks[k + 1 : k + 3]
    if after[:1] == ["е"] or after[:1] == ["сме"]:
        after = after[1:]
    own = any(t in lx.STILL_NOT_OWN for t in toks[k + 1 : k + 5])
    asked = "?" in toks[:k]
    return bool(after) and after[0] in lx.STILL_NOT_NEXT and not own and not asked


def _missing(s: _Scorer, k: int) -> bool:
    """Something missing or closed since a time: "без хляб от три дни", "няма нито …"."""
    toks = s.tokens
    if toks[k] not in lx.ABSENT_WORDS or "ще" in toks[s.sentence_span(k)[0] : k]:
        return False
    end = s.sentence_span(k)[1]
    for j in range(k + 1, min(end, k + 6)):
        if toks[j] == "нито":
            return True
        if toks[j] != "от" or "до" in toks[j + 1 : j + 4]:
            continue
        since = toks[j + 1 : j + 3]
        if s.clause_of(j) != s.clause_of(k) or (since[:1] and since[0] in lx.WEEKDAYS):
            continue  # "затворен в неделя, работи от понеделник": hours
        if since[:1] and (since[0] in lx.SINCE_STARTS or any(_dateish(t) for t in since)):
            return True
    return False


def _promise(s: _Scorer, k: int) -> bool:
    """A promise, then what came of it: "Обещаха до петък. Днес е вторник.", "Казаха, че ще
    дойдат, а минаха две седмици"; or "Обещаха да се обадят." and nothing more."""
    toks = s.tokens
    n = len(toks)
    if toks[k] not in lx.PROMISE_WORDS or toks[k] == "уж":
        return False
    alone = (
        s.sentence_span(0)[1] >= n - 1
        and not {"и", "а", "но", "вали", "завали"} & set(toks)
        and not any(_dateish(t) for t in toks)
    )
    if k == 0 and toks[1:2] == ["да"] and alone:
        return True
    end = s.sentence_span(k)[1]
    for j in range(n):
        later = j > end or (j > k and any(t in ("а", "но") for t in toks[k + 1 : j + 1]))
        if not later and s.clause_of(j) == s.clause_of(k):
            continue
        if later and (toks[j] in lx.BROKE_WORDS or toks[j] == "минаха"):
            return True
        if later and toks[j : j + 3] == ["това", "беше", "преди"]:
            return True
        if _now_is(toks, j):
            return True
    return False


def _span_at(toks: list[str], k: int) -> float:
    """The span in hours told at `k`: "10 минути", "десет дни", "в третия месец" (3 months),
    "месец" alone (1), else 0.0."""
    unit = lx.SPAN_HOURS.get(toks[k], 0.0)
    if not unit:
        return 0.0
    prev = toks[k - 1] if k else ""
    if prev.isdigit():
        return int(prev) * unit
    count = lx.NUMBER_WORDS.get(prev) or lx.ORDINAL_VALUE.get(prev)
    return (count or 1) * unit


def _overran(s: _Scorer, k: int) -> bool:
    """A span expected, then one at least three times as long in a later clause (bg17):
    "Отивах за 10 минути, стоях 2 часа.", "Майсторите казаха за банята десет дни, вече сме в
    третия месец."; not "За 2 часа минахме 200 км" (one clause)."""
    toks = s.tokens
    expected = _span_at(toks, k)
    clause = s.clause_of(k)
    if not expected or not any(
        toks[j] in lx.EXPECT_WORDS and s.clause_of(j) == clause for j in range(max(0, k - 5), k)
    ):
        return False
    if "ще" in toks[:k]:
        return False  # "Ще отида за 10 минути, после ще седна 2 часа": a plan
    return any(
        s.clause_of(j) > clause and _span_at(toks, j) >= 3 * expected
        for j in range(k + 1, len(toks))
    )


def _hour_at(toks: list[str], k: int) -> float:
    """An hour of the day told at `k` after "в", "за", "до" or "удря" ("в 18", "за 9 сутринта",
    "сега удря 17", "в 23:30"), else 0.0."""
    if k == 0 or toks[k - 1] not in ("в", "за", "до", "удря") or not toks[k].isdigit():
        return 0.0
    clock = _clock(toks, k)
    if clock:
        return clock
    hour = int(toks[k])
    after = toks[k + 1 : k + 2]
    if hour > 24 or (after and after[0] in lx.SPAN_HOURS):
        return 0.0  # "за 10 минути": a span, not an hour
    return float(hour)


def _late_by_hours(s: _Scorer, k: int) -> bool:
    """A time agreed or scheduled, then a later clause at an hour or more past it (bg17):
    "Трябваше да кацнем в 18, кацнахме в 23:30.", "Монтажникът се уговори с нас за 9 сутринта,
    сега удря 17."; not with "ще" ("Трябваше да е в 9, ще дойде в 10")."""
    toks = s.tokens
    clause = s.clause_of(k)
    agreed = next((h for j in range(k + 1, min(len(toks), k + 8)) if (h := _hour_at(toks, j))), 0.0)
    if not agreed or "ще" in toks:
        return False
    return any(
        s.clause_of(j) > clause and _hour_at(toks, j) >= agreed + 1 for j in range(k + 2, len(toks))
    )


def _passed_now(s: _Scorer, k: int) -> bool:
    """A day or month named for an event, then today a later one (bg17): "Асансьорът спря в
    петък, днес е сряда.", "Обещаха ни парно от 15 октомври. Ноември е."; not "Изпитът е в
    петък, днес е сряда" (a plan) or with "ще"."""
    toks = s.tokens
    head = toks[k : k + 3]
    month_now = (
        toks[k] in lx.MONTHS
        and s.opens_sentence(k)
        and head[1:2] == ["е"]
        and (len(head) < 3 or not head[2][0].isalnum())
    )
    if not month_now and not (head[:2] in (["днес", "е"], ["сега", "е"]) and head[2:]):
        return False
    now = toks[k] if month_now else head[2]
    names = lx.MONTH_ORDER if now in lx.MONTH_ORDER else lx.WEEKDAY_ORDER
    if now not in names:
        return False
    before = toks[:k]
    if {"ще", "е", "са"} & set(before):
        return False
    order = names.index(now)
    for j, b in enumerate(before):
        a = before[j - 2] if j > 1 and before[j - 1].isdigit() else before[j - 1] if j else ""
        if a in ("в", "във", "от", "през") and b in names and b != now:  # "от 15 октомври"
            # A weekday is always a past one; a month only an earlier one (or last autumn's).
            then = names.index(b)
            return names is lx.WEEKDAY_ORDER or then < order or then - order >= 6
    return False


def _date_passed(s: _Scorer, k: int) -> bool:
    """ "Поръчах на 3-ти, днес е 20-ти.": a date long past."""
    toks = s.tokens
    if not _now_is(toks, k):
        return False
    acted = any(t == "беше" or t == "започна" or (len(t) > 4 and t.endswith("х")) for t in toks[:k])
    return acted and any(s.clause_of(i) != s.clause_of(k) and _dateish(toks[i]) for i in range(k))


def _price_rise(s: _Scorer, k: int) -> bool:
    """ "Беше 15 лева, сега е 19": at least 15 % more."""
    toks = s.tokens
    n = len(toks)
    if toks[k] != "беше" or n <= k + 3:
        return False
    then = next((_amount(toks, i) for i in range(k + 1, min(n, k + 3)) if toks[i].isdigit()), None)
    if not then:
        return False
    for j in range(k + 3, min(n, k + 14)):
        if toks[j] in ("е", "струва", "искат", "стана") and j + 1 < n:
            now = _amount(toks, j + 1)
            if now is not None and now >= 1.15 * then:
                return True
    return False


def _price_became(s: _Scorer, k: int) -> bool:
    """The price now first (bg16): "Таксата стана 8 лева, беше 2.", "Баничката от 1,20 стана
    2,40": at least 15 % more. Not a score ("от 0 : 1 стана 2 : 1") or a count ("от 2 гола
    стана 3"): the figure before is next to "стана" (or its unit is money), the one after
    "беше" follows a sum of money."""
    toks = s.tokens
    if ":" in toks or k + 1 >= len(toks):
        return False
    now = _amount(toks, k + 1)
    if now is None:
        return False
    unit = k - 1 if k and toks[k - 1] in lx.MONEY_UNITS else k
    then = _number_before(toks, unit)
    if then is not None:
        start = unit - 1 - (2 if unit > 2 and toks[unit - 2] == "," else 0)
        return start > 0 and toks[start - 1] == "от" and now >= 1.15 * then
    after = toks[k + 2 : k + 5]
    if lx.MONEY_UNITS.isdisjoint(after[:3]):
        return False
    for j in range(k + 2, min(len(toks) - 1, k + 8)):
        if toks[j] == "беше":
            was = _amount(toks, j + 1)
            return was is not None and now >= 1.15 * was
    return False


_Reader = tuple[str, Callable[[_Scorer, int], bool]]
_CLOCK_READER: tuple[_Reader, ...] = (("late", _late),)


@cache
def _bare_readers() -> dict[str, tuple[_Reader, ...]]:
    """The readers of `_broken_promise` by the token each starts from, in the order they are
    tried (a clock time's digits: `_CLOCK_READER`)."""
    table: tuple[tuple[str, Callable[[_Scorer, int], bool], Iterable[str]], ...] = (
        ("repeated", lambda s, k: _repeated(s.tokens, k), ("за", "вече")),
        ("stuck", lambda s, k: _stuck(s.tokens, k), ("не",)),
        ("chak", _chak, ("чак",)),
        ("uzh", _uzh, ("уж",)),
        ("still_not", _still_not, ("още",)),
        ("missing", _missing, lx.ABSENT_WORDS),
        ("promise", _promise, lx.PROMISE_WORDS),
        ("date_passed", _date_passed, lx.NOW_WORDS),
        ("date_passed", _passed_now, ("днес", "сега", *lx.MONTHS)),
        ("overran", _overran, lx.SPAN_HOURS),
        ("late", _late_by_hours, lx.AGREED_WORDS),
        ("price_rise", _price_rise, ("беше",)),
        ("price_rise", _price_became, ("стана",)),
    )
    readers: dict[str, tuple[_Reader, ...]] = {}
    for kind, found, words in table:
        for word in words:
            readers[word] = (*readers.get(word, ()), (kind, found))
    return readers


def _kept(toks: list[str]) -> bool:
    """A promise kept: "както казаха", "още на другия ден"."""
    if lx.KEPT_FIRST.isdisjoint(toks):
        return False
    return any(_has_phrase(toks, p) for p in lx.KEPT_PHRASES)


def _has_phrase(toks: list[str], phrase: tuple[str, ...]) -> bool:
    m = len(phrase)
    return any(tuple(toks[i : i + m]) == phrase for i in range(len(toks) - m + 1))


def _bare_facts(s: _Scorer, items: list[_Item], signals: list[str]) -> None:
    """Complaints told as bare facts with no negative word (bg15): a promise and what came of it
    ("Обещаха компенсация. Нищо не е дошло.", "Казаха 3 работни дни. Минаха 12.", "Поръчах на
    3-ти, днес е 20-ти."), "чак" with a date ("Ще ми върнат парите чак в сряда"), "уж … а", "още
    не"/"все още без", "вече N-ти път", "за кой ли път", a thing missing or closed for a time
    ("Пощата е затворена от месец") and a price then and now ("беше 15, сега е 32"). Signal
    `complaint:bare:<kind>`; a promise kept ("както казаха", "още на другия ден") is praise.
    Runs after the neutral register: such a fact is the stance itself."""
    if any(it.value for it in items):  # a cue read already; praise is no bare fact
        return
    kind = _broken_promise(s)
    if kind:
        items.append(_Item(-0.5, f"complaint:bare:{kind}", len(s.tokens) - 1))
        if "notice" in signals:
            signals.remove("notice")
        return
    if _kept(s.tokens):
        items.append(_Item(0.5, "lexicon:kept", len(s.tokens) - 1))


def _plain_fact(clean: str, s: _Scorer, items: list[_Item], signals: list[str]) -> None:
    """One plain fact with one figure, no cue and no stance (bg16): a sum of money stated as what
    something is or costs or what the writer paid ("Заплатата ми е 2000 лева.", "Платих 95 лева
    за парно."; not "Глобиха ме 50 лева.", done to the writer) or a day ("Записах си час при
    личния лекар за петък."), in one clause, not asked, not quoted. The signal "plain" marks the
    verdict: the model may not turn it negative (as "notice"), since the words of pay, bills and
    appointments are the words of complaints in its training data. Two figures ("поиска 50 лева
    за 3 километра", "спря в петък, днес е сряда"), a second clause ("Влязох с 50 лева, излязох
    с една торбичка", "… на летището - 7 лева"), a stance ("пак", "вече", "а", "не", a duration,
    an ordinal) or a cue keep the model's say."""
    if any(it.value for it in items):
        return
    toks = s.tokens
    figures = [k for k, t in enumerate(toks) if t[0].isdigit() or t in lx.PLAIN_FIGURES]
    if not figures or len(figures) > 3:
        return  # most texts: no figure at all
    if any(c in clean for c in lx.PLAIN_BREAKS):
        return
    joined = [  # "2 , 20 лева", "9 : 15": one figure
        0 < k < len(toks) - 1 and t in ",:" and toks[k - 1].isdigit() and toks[k + 1].isdigit()
        for k, t in enumerate(toks)
    ]
    last = len(toks) - 1
    if any(k != last and not joined[k] for k in (*s.clause_breaks, *s.sentence_ends)):
        return
    figures = [k for k in figures if not (k > 1 and joined[k - 1])]
    if len(figures) != 1:
        return
    k = figures[0]
    if k + 1 < len(toks) and joined[k + 1]:
        k += 2  # "2 , 40 лева": the unit follows the cents
    money = toks[k + 1 : k + 2] != [] and toks[k + 1] in lx.MONEY_UNITS
    stated = money and not lx.PLAIN_STATED.isdisjoint(toks[: figures[0]])
    if (stated or toks[figures[0]] in lx.PLAIN_DAYS) and not _stance(s, items, signals):
        signals.append("plain")


def _neutral_register(s: _Scorer, items: list[_Item], signals: list[str]) -> None:
    """Crisis and complaint words told without stance (issue 14, bg13): a notice ("Спиране на
    водата в кв. Изток от 9 до 16 ч."), a headline ("Полицията разследва кражба в Русе"), a
    question asking for information ("Има ли спиране на тока утре?") or a plain fact ("Днес
    нямаме парно, идват да го оправят утре."). The events lose their valence but keep their
    signal (a planned outage is still worth the crisis:outage signal); any stance (`_stance`)
    keeps the label: "Трети ден без парно, никой не идва!", "Пак спряха водата"."""
    events = [it for it in items if it.value < 0]
    if not events or not _register(s, events) or _stance(s, items, signals):
        return
    for it in items:  # a denied crisis ("няма пострадали") is news too, not relief
        if it.value < 0 or (it.value > 0 and it.signal.startswith(_FIRM)):
            it.value = 0.0
            it.notice = it.signal.startswith(_FIRM)  # crisis and complaint signals stay
    signals.append("notice")


# A quotation closed and commented on in one word: "„Таксите се вдигат“ Естествено."
_QUOTE_COMMENT = re.compile(r'["“”»]\s*([а-яѝa-z-]+)\s*[.!?…]*\s*$')


def _comment_on_quote(clean: str, s: _Scorer, items: list[_Item]) -> None:
    """A one-word comment on a quoted headline is the tweet's verdict on it: resigned or
    scornful ("Естествено.", "Ясно.", "Сериозно??") or relieved ("Най-после!")."""
    m = _QUOTE_COMMENT.search(clean)
    if m is None:
        return
    word = m.group(1)
    if any(it.signal in (f"lexicon:{word}.", "lexicon:най-накрая") for it in items):
        return  # a sentence of its own: already read
    last = max(len(s.tokens) - 1, 0)
    if word in lx.RESIGNED:
        items.append(_Item(-0.4, f"lexicon:{word}.", last))
    elif word in lx.RELIEF:
        items.append(_Item(0.4, "lexicon:най-накрая", last))


def _unask(s: _Scorer, items: list[_Item]) -> None:
    """Praise a question or a request asks for is no opinion: "Кой е най-добрият доставчик?",
    "Препоръки за добър зъболекар?", "Търся добър специалист". Quoted praise stays irony."""
    for item in items:
        if item.value <= 0 or item.quoted or not item.signal.startswith("lexicon:"):
            continue
        start, end = s.sentence_span(item.pos)
        words = s.tokens[start:end]
        asked = end < len(s.tokens) and "?" in s.tokens[end]
        # "Някакви препоръки за Созопол?": the praise word itself is what is asked for.
        asked_for = asked and s.tokens[item.pos] in lx.QUESTION_WORDS
        sought = not lx.SEEKING.isdisjoint(s.tokens[max(start, item.pos - 2) : item.pos])
        if (asked and not lx.QUESTION_WORDS.isdisjoint(words[:3])) or asked_for or sought:
            item.value = 0.0


def _tears_of_joy(s: _Scorer, items: list[_Item]) -> None:
    """Crying faces beside strong praise and no other blame are tears of joy: "УНИКАЛЕН 😭"."""
    cries = [it for it in items if it.signal == "emoji:\U0001f62d"]
    if not cries or any(it.value < 0 and it not in cries for it in items):
        return
    strong = {s.sentence_of(it.pos) for it in items if it.value >= STRONG_PRAISE}
    for item in cries:
        if s.sentence_of(item.pos) in strong:
            item.value = -item.value


def _hour(toks: list[str], k: int) -> float:
    """The clock time at token k ("14", ":", "30" -> 14.5); after noon when a word says so."""
    hour = float(toks[k])
    if toks[k + 1 : k + 2] == [":"] and toks[k + 2 : k + 3] and toks[k + 2].isdigit():
        hour += float(toks[k + 2]) / 60
    if hour < 12 and not lx.AFTERNOON.isdisjoint(toks[k + 1 : k + 5]):
        hour += 12
    return hour


# A match score ("2:0", "3:1"); clock times have two-digit minutes ("15:40").
_SCORE = re.compile(r"(?<![\d:])\d\s?:\s?\d(?![\d:])")


def _match_report(clean: str, s: _Scorer, items: list[_Item]) -> None:
    """A tweet with a score reports a match: "ЦСКА загуби с 2:0", "двата гола паднаха в
    края" lose and fall without blame (fifth tweet round)."""
    if not _SCORE.search(clean):
        return
    for item in items:
        word = s.tokens[item.pos] if item.pos < len(s.tokens) else ""
        if item.value < 0 and word.startswith(lx.LOSS_STEMS):
            item.value = 0.0


def _work_about(s: _Scorer, items: list[_Item]) -> None:
    """A film, book, talk or exhibition about a war or a crisis names its subject, not a
    complaint: "сериалът за войната в Афганистан", "лекция на тема „Кризи“", "изложбата
    „Войната през очите на децата“" (the event noun right after the work, or after its "за")."""
    toks = s.tokens
    for item in items:
        if item.value >= 0 or not toks[item.pos : item.pos + 1]:
            continue
        if not toks[item.pos].startswith(lx.EVENT_STEMS):
            continue
        start, _ = s.sentence_span(item.pos)
        for j in range(max(start, item.pos - 8), item.pos):
            if toks[j].startswith(lx.WORKS) and (
                j == item.pos - 1 or "за" in toks[j + 1 : item.pos] or toks[j] == "тема"
            ):
                item.value = 0.0
                break


def _number_before(toks: list[str], k: int) -> float | None:
    """The number told just before token k, a decimal comma read ("1 , 20 лв" -> 1.2, "2 , 5
    часа" -> 2.5), else None."""
    prev = toks[k - 1] if k else ""
    if not prev.isdigit():
        return None
    if k > 2 and toks[k - 2] == "," and toks[k - 3].isdigit():
        return float(toks[k - 3]) + float(prev) / 10 ** len(prev)
    return float(prev)


def _prices_then_and_now(s: _Scorer, items: list[_Item]) -> None:
    """A price or bill given then and now in numbers, the later at least half as much again:
    "Сметка за ток: ноември 86 лв, декември 214 лв.", "Хлябът: 2019 – 1,20 лв, днес – 3,40".
    A time word or a year is needed, so a price list ("кафе 2 лв, сандвич 6 лв") is not one."""
    toks = s.tokens
    if lx.MONEY_UNITS.isdisjoint(toks):  # cheap test first: most texts name no amount
        return
    if not any(t in lx.PRICE_WORDS or lemma(t) in lx.PRICE_WORDS for t in toks):
        return
    if lx.THEN_AND_NOW.isdisjoint(toks) and not any(
        len(t) == 4 and t.isdigit() and t.startswith(("19", "20")) for t in toks
    ):
        return
    amounts: list[float] = []
    for k, t in enumerate(toks):
        value = _number_before(toks, k) if t in lx.MONEY_UNITS else None
        if value is not None:
            amounts.append(value)
    if len(amounts) >= 2 and amounts[0] > 0 and amounts[-1] >= 1.5 * amounts[0]:
        items.append(_Item(-0.5, "lexicon:поскъпване", len(toks) - 1))


def _what_about(s: _Scorer, items: list[_Item]) -> None:
    """ "а заплатите?", "а болниците кога?": a clause that asks only after what was left out
    is a retort, not a question (a definite noun after "а", then the question mark)."""
    toks = s.tokens
    for k, t in enumerate(toks):
        if t != "а":  # after a quote or a dash too, which are no tokens: "„…“ – а заплатите?"
            continue
        rest = [w for w in toks[k + 2 : k + 4] if w not in lx.WHAT_ABOUT]
        noun = toks[k + 1] if k + 1 < len(toks) else ""
        if noun.endswith(("ите", "ата", "те", "та")) and rest[:1] and "?" in rest[0]:
            items.append(_Item(-0.4, "lexicon:а X?", k))
            return


def _mocking_laughter(clean: str, s: _Scorer, items: list[_Item], signals: list[str]) -> None:
    """Laughing faces at a minister, a promise, a quoted claim or a bill are mockery, and
    praise beside them irony: "Министърът каза, че пътищата са отлични 😂", "„Работим за
    хората“ 😂". Beside a heart, words of laughter or love, family, friends or pets they are
    joy ("умрях от смях 😂", "Котката пак спи в мивката 😂", "…„като от магазина“ 😂❤️")."""
    laughs = [it for it in items if it.signal in lx.LAUGHS]
    if not laughs:
        return
    if any(it.value > 0 and it.signal.startswith("emoji:") and it not in laughs for it in items):
        return  # ❤️, 🥳: joy
    words = set(s.tokens)
    lemmas = set(map(lemma, words))
    fond = lx.JOY_WORDS | lx.FOND_OF
    if not fond.isdisjoint(words) or not fond.isdisjoint(lemmas):
        return
    quoted = bool(_QUOTED.search(clean)) or "„" in clean
    # A bill or a service laughed at: "пак ми пратиха сметка за услуга, която не ползвам 😂".
    # Not an outage word: "кумът падна в тортата 🤣" is a fall.
    service = any(
        it.signal.startswith("complaint:") and it.signal != "complaint:outage" for it in items
    ) or any(t in lx.PRICE_WORDS or lemma(t) in lx.PRICE_WORDS for t in words)
    mocked = (
        quoted
        or service
        or not lx.PROMISES.isdisjoint(words)
        or any(t.startswith(lx.MOCK_TARGETS) for t in words)
    )
    if not mocked:
        return
    for item in items:
        if item in laughs:
            item.value = -0.4
        elif item.value > 0 and not item.quoted:
            item.value = -0.5 * item.value
    signals.append("mockery")


def _joke_withdrawn(s: _Scorer, items: list[_Item], signals: list[str]) -> None:
    """ "Шегувам се." (or "Майтап бе", "Шегичка") opening a later sentence takes back what
    came before: its praise is irony ("Страхотна организация. Шегувам се, чакахме час."). "Не
    се шегувам" and "без майтап" affirm it."""
    toks = s.tokens
    for end in s.sentence_ends:
        head = [t for t in toks[end + 1 : end + 4] if t[0].isalnum()]
        for k, t in enumerate(head[:2]):
            if t in lx.JOKE_WORDS and not (k and head[k - 1] in ("не", "без")):
                if t == "майтап" and head[k + 1 : k + 2] not in (["бе"], []):
                    continue  # "майтап бе", "Майтап." — not "майтап с него"
                for item in items:
                    if item.pos < end and item.value > 0:
                        item.value = -0.6 * item.value
                items.append(_Item(-0.4, "irony:шегувам се", end + 1))
                signals.append("sarcasm")
                return


def _numbers_shouts_and_laughter(s: _Scorer, items: list[_Item]) -> None:
    """Trips slower than a bike, prices, shouted resignations, laughter at referees, wonder by
    swearing (sixth tweet round, issue 14). One pass over the tokens finds which checks can
    apply, so a text with none of their words pays little."""
    toks = s.tokens
    hits = lx.NUMBER_SHOUT_TRIGGERS.intersection(toks)
    if hits:
        if not lx.MONEY_UNITS.isdisjoint(hits):
            _price_held_up(s, items)
        if "км" in hits:
            _slow_trip(toks, items)
        elif not lx.HOUR_WORDS.isdisjoint(hits) and "до" in toks and "от" in toks:
            _trip_held_up(s, items)
        if "оставка" in hits:
            _resign_demand(toks, items)
        if not lx.EXCLAIM.isdisjoint(hits) and (
            not lx.SWEAR_EXCLAIM.isdisjoint(hits)
            or any(it.signal in lx.SWEAR_SIGNALS for it in items)
        ):
            _swear_in_wonder(s, items)
    drinks = not lx.DRINKS.isdisjoint(hits)
    for item in items:
        if item.pos >= len(toks):
            continue
        word = toks[item.pos]
        if item.value > 0:
            if (
                item.pos > 1
                and toks[item.pos - 1] == "колко"
                and toks[item.pos - 2] in lx.SAY_VERBS
            ):
                item.value = -0.5 * item.value  # "ни обясняват колко добре живеем": a claim mocked
            elif word == "добре" and item.pos and toks[item.pos - 1] in lx.DISCOURSE:
                if toks[item.pos + 1 : item.pos + 2] in ([","], ["тогава"]):
                    item.value = 0.0  # "Ну добре, тогава се виждаме в 8": agreement
            elif word.startswith(lx.BOTH_WAYS) and is_firm(items):
                item.value = -0.5 * item.value  # "незабравимото пътуване: 4 часа закъснение"
        elif item.value < 0:
            if item.signal == "crisis:reputation" and word.startswith("протест"):
                _protest_notice(s, item, items)
            elif drinks and word.startswith("студен") and _next_in(toks, item.pos, lx.DRINKS):
                item.value = 0.3  # "студена бира": a pleasure, not cold food
            elif word == "боза" and item.pos and toks[item.pos - 1] in ("с", "и"):
                item.value = 0.0  # "баница с боза": the drink, not slang for rubbish
            elif word.startswith(("убийствен", "адск")) and not _word_next(toks, item.pos):
                item.value = 0.0  # "звукът е убийствен": slang praise; "убийствена жега" blames


# A rating given with the review: "3 от 5", "6/10", "1 звезда", "Оценка 2".
# "N от M" is a mark only when nothing is counted after it: "3 от 5 банкомата не работят" is a
# complaint that counts ATMs, not a review of 3 stars.
_RATING = re.compile(
    r"(?<![\d,./])(\d{1,2}(?:[.,]5)?)\s*(?:/|от)\s*(5|10)(?![\d,.]\d)"
    r"(?=\s*(?:$|[^\w\s]|звезд|точк))"
    r"|(?<![\d,.])(\d{1,2})\s+звезд|оценка\s+(\d{1,2})(?![\d,.]\d)"
)
_DENIED = re.compile(r"(?<!\w)не(?!\w)[^.!?]{0,24}$")  # "не заслужава 5 звезди": no mark given


_DIGIT = re.compile(r"\d")


def _rating(clean: str) -> float | None:
    """The share of the top mark a review gives itself, if it states one."""
    if _DIGIT.search(clean) is None:
        return None  # cheap test first: every mark has a digit, most texts none
    m = _RATING.search(clean)
    if m is None or _DENIED.search(clean, 0, m.start()):
        return None
    if m.group(1):
        mark, top = float(m.group(1).replace(",", ".")), float(m.group(2))
    else:
        mark = float(m.group(3) or m.group(4))
        top = 10.0 if mark > 5 else 5.0
    return mark / top if 0 <= mark <= top else None


def _marks_turns_and_taunts(clean: str, linked: bool, s: _Scorer, items: list[_Item]) -> None:
    """Seventh tweet round (issue 14): reviews with a mark, late turns, nicknames, bought
    matches, holiday envy, trips held up without places, links with one word of interest."""
    share = _rating(clean)
    if share is not None:
        for it in items:
            it.value = 0.0  # the mark is the verdict ("6/10. Красиви кадри, празна история.")
        value = -0.8 if share <= 0.3 else 0.8 if share >= 0.8 else 0.0
        items.append(_Item(value, "lexicon:rating", 0))
        return
    toks = s.tokens
    if linked and items and toks and toks[0] in lx.POINTER:
        for it in items:
            if it.pos == 0:
                it.value = 0.0  # "Интересно. http://…": a pointer, not a verdict
    if len(toks) > 2 and toks[-1] in ".!" and toks[-3] in _SENTENCE_ENDS:
        for it in items:
            if it.pos == len(toks) - 2:
                it.value *= 2.0  # a closing one-word verdict: "… Жалко.", "… Блаженство."
    if s.buts:
        _but_opens(s, items)
    hits = lx.MARK_TURN_TRIGGERS.intersection(toks)
    if not hits:
        return
    if "супер" in hits:
        _super_noun(toks, items)
    if hits & lx.FLIP_AFTER:
        _late_turn(s, items)
    if hits & lx.NICKNAMES or "конци" in hits:
        _nickname(s, items)
    if hits & lx.AT_WORK:
        _holiday_envy(toks, items)
    if hits & (lx.ORDINAL_HOURS | lx.HOUR_WORDS):
        _trip_no_places(s, items)
    if "километра" in hits:
        _slow_trip(["км" if t == "километра" else t for t in toks], items)
    if "иначе" in hits:
        for k in range(1, len(toks)):
            if toks[k] == "иначе" and toks[k - 1] == ",":
                items.append(_Item(-0.2, "lexicon:иначе", k, mild=True))  # a conceded flaw
    if hits & (lx.AGAIN | lx.GO_SEE | lx.ASK_TIP | lx.SETTING_OFF):
        _pleased_or_asking(s, hits, items)
    if "ако" in hits:
        for it in items:
            if (
                it.value > 0
                and it.pos > 1
                and toks[it.pos - 2] == "ако"
                and toks[it.pos - 1] in ("няма", "не")
            ):
                it.value = 0.0  # "ако няма задръстване": a condition, not good news
    if hits & lx.BOUGHT:
        for k, t in enumerate(toks):
            if t in lx.BOUGHT and any(
                w.startswith(lx.MATCH_WORDS) for w in toks[max(0, k - 3) : k + 3]
            ):
                items.append(_Item(-0.6, "complaint:bought match", k))
                break


def _mixed_review(items: list[_Item]) -> bool:
    """Praise beside mediocrity ("Добра идея, средно изпълнение"), a conceded flaw ("…, иначе
    е вкусно") or mild blame ("малко бавен") is a mixed verdict (2-3.5 stars), not praise."""
    praise = sum(it.value for it in items if it.value > 0)
    blame = -sum(it.value for it in items if it.value < 0)
    if not praise or not blame:
        return False
    return any(it.value < 0 and (it.mild or it.signal.startswith(lx.MEDIOCRE)) for it in items)


def _but_opens(s: _Scorer, items: list[_Item]) -> None:
    """A sentence opened by "Но"/"Обаче" outweighs the sentences before it, as a "но" clause
    outweighs its own sentence: "Ужасна сутрин, закъснях. Но вечерта получих повишение!"."""
    toks = s.tokens
    for b in s.buts:
        if b == 0 or toks[b - 1] not in _SENTENCE_ENDS or toks[b] == "иначе":
            continue
        end = s.sentence_span(b)[1]
        after = sum(it.value for it in items if b < it.pos < end)
        for it in items:
            if it.pos < b and it.value * after < 0:
                it.value *= 0.5


def _super_noun(toks: list[str], items: list[_Item]) -> None:
    """ "Супер приложение", "супер място": an intensifier before a plain noun is the praise."""
    taken = {it.pos for it in items}
    for k, t in enumerate(toks[:-1]):
        if t == "супер" and k not in taken and k + 1 not in taken and toks[k + 1][:1].isalpha():
            items.append(_Item(0.5, "lexicon:супер", k, prone=True))


def _pleased_or_asking(s: _Scorer, hits: frozenset[str], items: list[_Item]) -> None:
    """A return promised ("Ще поръчваме пак"), a tip to go and see ("Гледайте го!") or our own
    trip with an exclamation ("Утре тръгваме за Пловдив!") pleases, when nothing is blamed; a
    tip asked for ("Препоръчайте ресторант") is no praise."""
    toks = s.tokens
    if hits & lx.ASK_TIP:
        for it in items:
            if toks[it.pos] in lx.ASK_TIP:
                it.value = 0.0
    if any(it.value for it in items):
        return  # blamed, or praised already
    for k, t in enumerate(toks):
        nxt = toks[k + 1] if k + 1 < len(toks) else ""
        if t == "ще" and "не" not in toks[max(0, k - 2) : k] and nxt.endswith(("м", "ме")):
            if not lx.AGAIN.isdisjoint(toks[k + 2 : k + 5]):
                items.append(_Item(0.5, "lexicon:ще дойдем пак", k))
                return
        elif t in lx.GO_SEE and nxt in ("го", "я", "ги") and (k == 0 or toks[k - 1] != "не"):
            items.append(_Item(0.5, "lexicon:гледайте го", k))
            return
        elif t in lx.SETTING_OFF and "!" in toks[-1] and k <= 2:
            items.append(_Item(0.5, "lexicon:тръгваме!", k))
            return


def _late_turn(s: _Scorer, items: list[_Item]) -> None:
    """Praise told before "докато не", "до момента, в който", "само дето", "После …" or
    "Грешах." is the set-up of a bad ending, when nothing is praised after the turn."""
    toks = s.tokens
    turn = -1
    for k, t in enumerate(toks):
        nxt = toks[k + 1] if k + 1 < len(toks) else ""
        if (
            (t == "докато" and nxt == "не")
            or (
                t == "момента"
                and k
                and toks[k - 1] == "до"
                and any(w.startswith("ко") for w in toks[k + 1 : k + 4])
            )
            or (t == "дето" and k and toks[k - 1] == "само")
            or (t in ("грешах", "сбърках") and s.opens_sentence(k))
            or (t == "после" and k > 0 and (s.opens_sentence(k) or toks[k - 1] == "и"))
        ):
            turn = k
            break
    if turn < 0:
        return
    if toks[turn] == "докато":  # "докато не заваля": "until", no negation of what follows
        for it in items:
            entry = _lookup(toks[it.pos]) if turn < it.pos <= turn + 4 else None
            if entry is not None and entry[0] < 0 < it.value:
                it.value = entry[0]
    before = [it for it in items if it.pos < turn and it.value > 0]
    if not before or any(it.value > 0 for it in items if it.pos > turn):
        return
    if toks[turn] == "после" and any(it.value < 0 for it in items if it.pos > turn):
        return  # "… и после се издънва": the blame is told, the praise before it stands
    for it in before:
        it.value = 0.0
    if not any(it.value < 0 for it in items if it.pos > turn):
        items.append(_Item(-0.5, "lexicon:late turn", turn))


def _nickname(s: _Scorer, items: list[_Item]) -> None:
    """A political nickname opening a sentence or after "тия": "Тиквите пак гласуваха против",
    "Тия тикви ще ни управляват"; "кукли на конци"."""
    toks = s.tokens
    for k, t in enumerate(toks):
        named = t in lx.NICKNAMES and (s.opens_sentence(k) or (k and toks[k - 1] in lx.NICK_BEFORE))
        named = named or (t == "ганьовците" and k and toks[k - 1] == "бай")
        strings = t == "конци" and k > 1 and toks[k - 1] == "на" and toks[k - 2] == "кукли"
        if named or strings:
            items.append(_Item(-0.5, "lexicon:nickname", k))
            return


def _holiday_envy(toks: list[str], items: list[_Item]) -> None:
    """Others at leisure and I at work: "Всички на море, аз на работа", "Коледа, а аз на
    смяна", "Цялата фирма в отпуска, само аз съм дежурен"."""
    if "аз" not in toks:
        return
    me = toks.index("аз")
    if not lx.AT_WORK.isdisjoint(toks[me + 1 : me + 5]) and any(
        t.startswith(lx.LEISURE) for t in toks[:me]
    ):
        items.append(_Item(-0.5, "lexicon:holiday envy", me))


def _trip_no_places(s: _Scorer, items: list[_Item]) -> None:
    """Hours (two or more) or an ordinal hour that open a sentence, then a vehicle: "9 часа с
    влака.", "Пети час в колата." ("Пътят е около 3 часа с кола" is information)."""
    toks = s.tokens
    for k, t in enumerate(toks):
        if t not in lx.HOUR_WORDS:
            continue
        prev = toks[k - 1] if k else ""
        if prev in lx.ORDINAL_HOURS:
            hours, first = 3.0, k - 1
        else:
            hours = _hours_before(toks, k)
            first = k - 1 if prev[:1].isdigit() or prev in lx.NUMBER_WORDS else k
        if hours < 2 or first < 0 or not s.opens_sentence(first):
            continue
        if any(w.startswith(lx.VEHICLES) for w in toks[k + 1 : k + 6]):
            items.append(_Item(-0.5, "complaint:slow trip", k))
            return


def _next_in(toks: list[str], k: int, words: frozenset[str]) -> bool:
    return k + 1 < len(toks) and toks[k + 1] in words


def _word_next(toks: list[str], k: int) -> bool:
    return k + 1 < len(toks) and toks[k + 1][:1].isalpha()


def _protest_notice(s: _Scorer, item: _Item, items: list[_Item]) -> None:
    """A protest told with a time, a day or a headcount and no blame of its own is a notice:
    "Утре в 19 ч. протест пред парламента", "Хиляди на протест и тази вечер"; "въпроси за
    протестите" names a topic. "Протест пред офиса заради огромните сметки" stays a crisis."""
    if any(it.value < 0 and it is not item for it in items):
        return
    toks = s.tokens
    end = s.sentence_span(item.pos)[1]
    sentence = toks[max(0, item.pos - 8) : end]  # "Утре в 19 ч. протест": the time may end one
    timed = any(t[0].isdigit() for t in sentence) or not lx.PROTEST_NOTICE.isdisjoint(sentence)
    topic = item.pos > 1 and toks[item.pos - 1] == "за" and toks[item.pos - 2].startswith("въпрос")
    if timed or topic:
        item.value = 0.0
        item.notice = True


def _price_held_up(s: _Scorer, items: list[_Item]) -> None:
    """A price that opens a sentence, for a unit, is held up to be seen: "10 лв за час
    паркинг", "25 лв килото домати", "7 лева за едно кафе на летището". A price told as the
    predicate ("Билетите са по 40 лв") is information."""
    toks = s.tokens
    for k in range(len(toks) - 2):
        if toks[k] not in lx.MONEY_UNITS or toks[k + 1] not in lx.PER_UNIT:
            continue
        first = k - 1
        if first > 1 and toks[first - 1] == ",":
            first -= 2  # "2,50 лв"
        if first >= 0 and toks[first][0].isdigit() and s.opens_sentence(first):
            items.append(_Item(-0.4, "complaint:price", k))
            return


def _hours_before(toks: list[str], k: int) -> float:
    """The hours told just before token k ("часа"): "2,5 часа", "три часа", "час и половина"."""
    prev = toks[k - 1] if k else ""
    if prev[:1].isdigit():
        return _number_before(toks, k) or 0.0
    if prev in lx.NUMBER_WORDS:
        return lx.NUMBER_WORDS[prev]
    if toks[k] == "час" or toks[k] == "часът":
        half = toks[k + 1 : k + 3] == ["и", "половина"]
        return 1.5 if half else 1.0
    return 0.0


def _slow_trip(toks: list[str], items: list[_Item]) -> None:
    """A trip told in hours and kilometres, slower than a bicycle: "2,5 часа за 40 км",
    "3 часа от София до Перник. 30 км." (20 km/h or less is a jam, whatever the road)."""
    hours = next(
        (h for k, t in enumerate(toks) if t in lx.HOUR_WORDS and (h := _hours_before(toks, k))), 0.0
    )
    if not hours and lx.SELF_PACED.isdisjoint(toks):
        # bg17: minutes or days too ("45 минути за 4 километра", "200 км за 11 дни"); not a
        # run, a walk or a ride ("Бягах 30 минути, 5 км").
        hours = next(
            (
                _span_at(toks, k)
                for k, t in enumerate(toks)
                if t in lx.SPAN_HOURS
                and k
                and (toks[k - 1].isdigit() or toks[k - 1] in lx.NUMBER_WORDS)
            ),
            0.0,
        )
    km = next(
        (
            float(toks[k - 1])
            for k, t in enumerate(toks)
            if t == "км" and k and toks[k - 1].isdigit()
        ),
        0.0,
    )
    if hours and km and km / hours <= 20:
        items.append(_Item(-0.5, "complaint:slow trip", len(toks) - 1))


def _trip_held_up(s: _Scorer, items: list[_Item]) -> None:
    """Hours that open a sentence, then "от" A "до" B, are a trip held up to be seen, as a
    price is: "Час и половина от Младост до центъра с автобуса." Told as "около 2 часа" or
    "само 2 часа", or after the places ("От Варна до Бургас са 2 часа"), it is information."""
    toks = s.tokens
    for k, t in enumerate(toks):
        if t not in lx.HOUR_WORDS or not _hours_before(toks, k):
            continue
        prev = toks[k - 1] if k else ""
        counted = prev[:1].isdigit() or prev in lx.NUMBER_WORDS  # "2 часа"; else "Час и …"
        first = k - 1 if counted else k
        if first > 1 and toks[first - 1] == "," and toks[first - 2].isdigit():
            first -= 2  # "2,5 часа"
        if first < 0 or not s.opens_sentence(first):
            continue
        rest = toks[k + 1 : k + 9]
        if "от" in rest and "до" in rest and lx.ABOUT.isdisjoint(toks[max(0, first - 1) : k]):
            items.append(_Item(-0.4, "complaint:slow trip", k))
            return


def _resign_demand(toks: list[str], items: list[_Item]) -> None:
    """ "Оставка!" shouted, or "оставка, оставка": a demand, not the news of a resignation."""
    for k, t in enumerate(toks):
        nxt = toks[k + 1] if k + 1 < len(toks) else ""
        if t == "оставка" and (nxt.startswith("!") or toks.count("оставка") > 1):
            items.append(_Item(-0.6, "lexicon:оставка!", k))
            return


def _swear_in_wonder(s: _Scorer, items: list[_Item]) -> None:
    """Swearing before an exclamation with no blame in it is wonder: "По дяволите, какъв гол!",
    "Мамка му, какъв мач!", "Егати мача!" ("По дяволите, какъв провал!" keeps its blame)."""
    toks = s.tokens
    swears = [it for it in items if it.signal in lx.SWEAR_SIGNALS]
    others = [it for it in items if it not in swears]
    if any(it.value < 0 for it in others):
        return
    begin = swears[0].pos if swears else 0  # "Егати мача!": the swearword is the exclamation
    at = next((k for k in range(begin, len(toks)) if toks[k] in lx.EXCLAIM), -1)
    end = s.sentence_span(at)[1] if at >= 0 else 0
    if at < 0 or end >= len(toks) or not toks[end].startswith("!"):
        return
    for it in swears:
        it.value = 0.0
    if not any(it.value > 0 for it in others):
        items.append(_Item(0.5, "lexicon:какъв X!", at))


def is_mixed(items: list[_Item]) -> bool:
    """Some praise and no strong blame (complaint, crisis and sarcasm items count as strong, and
    so does blame of a service topic: "хубав телефон, но много бавна доставка")."""
    return any(it.value > 0 for it in items) and not any(
        it.value <= MIXED_STRONG or (it.value < 0 and (it.topical or it.signal.startswith(_FIRM)))
        for it in items
    )


def is_mild(items: list[_Item]) -> bool:
    """All the blame is mild: hedged ("малко скучен", "на моменти муден"), comparative ("по-слаб
    от първия"), could-have-been ("можеше и по-добре") or a verdict of unmet expectation or
    mediocrity ("очаквах повече", "нищо особено"). A weak negative, short of the label."""
    blame = [it for it in items if it.value < 0]
    return bool(blame) and all(it.mild or it.signal.startswith(lx.MEDIOCRE) for it in blame)


def combine(
    total: float,
    logit: float,
    m: Model,
    *,
    firm: bool = False,
    cue: bool = False,
    capped: bool = False,
    n_ids: int = 1 << 30,
) -> float:
    """Rules' total with the model's view.

    A `capped` total (a stated mark, "Оценка 3.", or a text the rules judged mixed or only mildly
    blaming: "Малко скучен.", "Хубав, но малко бавен") stands: that verdict is the rules' reading
    of a whole text, which a bag of n-grams does not overrule. Otherwise, above its threshold the
    model adds negative evidence if the rules saw a negative cue, or without one only beyond its
    bar (`m.bar`): it must not turn a neutral question or headline negative on a hunch. Below the
    threshold it may soften a negative total, to at most `m.keep` of it (1.0: never, as shipped),
    so a clear complaint stays negative; a `firm` total (complaint, crisis or sarcasm) is not
    softened. It never adds praise. Without a cue the model's evidence must also rest on at
    least `m.min_ids` n-grams (`n_ids`): on one or two words ("Чакам автобуса.") it is thin.
    """
    if capped:
        return total
    shift = m.weight * (logit - m.threshold)
    if shift > 0:
        return total - shift if cue or (logit > m.bar and n_ids >= m.min_ids) else total
    if total < 0 and not firm:
        return min(total * m.keep, total - shift)
    return total


def is_firm(items: list[_Item]) -> bool:
    return any(it.value < 0 and (it.negated_praise or it.signal.startswith(_FIRM)) for it in items)


def has_cue(items: list[_Item]) -> bool:
    return any(it.value < 0 for it in items)


def is_capped(signals: list[str], items: list[_Item]) -> bool:
    """The rules read a verdict of the whole text: a stated mark ("6/10", "Оценка 3"), or a total
    capped as mixed or mild (see `rules`)."""
    return (
        "mixed" in signals
        or "mild" in signals
        or "notice" in signals
        or "plain" in signals
        or any(it.signal == "lexicon:rating" for it in items)
    )


_FIRM = ("complaint:", "crisis:", "sarcasm")
_IRONIC_EMOJI = frozenset(("emoji:\U0001f44f",))  # clapping hands
_MILD_KINDS = ("lexicon:", "emoticon:", "emoji:")  # hedges soften opinions, never complaints


def score(text: str, *, use_model: bool = True) -> Scored:
    """Score one Bulgarian mention: polarity in [-1, 1], a label and the signals that fired."""
    total, toks, signals, items = rules(text)
    m = model() if use_model else None
    if m is not None:
        ids = feature_ids(toks)
        logit = m.logit_of(ids)
        if logit > m.threshold or (total < 0 and m.keep < 1.0):  # else `combine` keeps total
            cue = has_cue(items)
            capped = is_capped(signals, items)
            n = len(ids)
            firm = is_firm(items)
            total = combine(total, logit, m, firm=firm, cue=cue, capped=capped, n_ids=n)
            evidence = cue or (logit > m.bar and n >= m.min_ids)
            if logit > m.threshold and evidence and not capped:
                signals.append("model:negative")
    polarity = round(max(-1.0, min(1.0, total / math.sqrt(total * total + ALPHA))), 4)
    # A topic word ("обслужване": valence 0) names what a complaint is about, not what praise is.
    ranked = sorted(items, key=lambda it: it.value)
    signals.extend(
        it.signal for it in ranked if it.value or it.notice or polarity <= NEGATIVE_BELOW
    )
    fired = tuple(dict.fromkeys(s for s in signals if s))[:MAX_SIGNALS]
    return Scored(polarity, _label(polarity), fired)
