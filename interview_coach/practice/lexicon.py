"""The interviewer's vocabulary: words that mean the same for a clarifying question, words that
carry no meaning in one, and words that mark a question the design does not depend on.

These are facts about English in system design interviews, not about one problem, so they live
here rather than in a card; a card adds its own wording through the paraphrases of its facts.
Every word is stemmed before use, so listing one form ("deletes", "deleted") covers the others.
"""

from __future__ import annotations


def _split(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split("|") if w.strip())


# Each group (one string, entries separated by "|"): the concept's name first, then words and
# phrases that ask about the same thing. A phrase is matched on word boundaries before words are.
SYNONYMS: tuple[tuple[str, ...], ...] = tuple(
    _split(group)
    for group in (
        "delete | remove | erase | unsend | retract | purge | wipe | take back",
        "edit | modify | amend | revise | rewrite | correct a typo | change | changed | alter | altered",
        "search | find | lookup | look up | searchable | grep | full text | full-text | look for | looking for | query "
        "old | keyword search",
        "size | large | big | bytes | byte | kb | kilobytes | length | long is | characters | chars | payload | weigh",
        "max | maximum | largest | biggest | upper bound | upper limit | cap on | at most | ceiling | limit on",
        "ratio | proportion | versus | vs | compared | relative | mix | split | heavy | than | outnumber | outnumbers | balanced",
        "read | reads | fetch | view | viewing | retrieve | lookups | received | receive | redirect | redirects",
        "write | writes | send | sends | sending | sent | post | posting | create | insert | submit | new links | "
        "created | shorten",
        "user | users | people | person | customer | customers | account holders",
        "region | regions | geography | geographic | geographically | country | countries | continent | continents | "
        "global | globally | worldwide | world | international | multi region | multi-region | datacenter | datacenters "
        "| data center | data centers | geo | locations",
        "presence | is online | currently online | currently active | last active | active now | appear online | online "
        "status | last seen | active status | green dot | who is online | whos online | online indicator",
        "retain | retention | keep | kept | store | stored | storing | persist | persisted | save | saved | archive | "
        "history | forever | permanent | permanently | long term | indefinitely",
        "notify | notification | notifications | push | alert | alerts | alerted | ping",
        "offline | disconnected | unreachable | not online | not connected | away | phone is off | airplane | plane | "
        "no connection | no network | no signal | no internet | lost connection | loses connection",
        "latency | how much time | time budget | latency budget | take | takes | taking | answer within | respond "
        "within | fast | faster | quick | quickly | speed | delay | delays | lag | slow | milliseconds | ms | real time "
        "| realtime | real-time | instant | instantly | snappy | response time",
        "availability | uptime | downtime | available | outage | outages | nines | highly available | go down | goes down",
        "consistency | consistent | stale | linearizable | strongly | eventual | eventually | cap | cap theorem",
        "order | ordering | ordered | sequence | chronological | chronologically | sorted | out of order",
        "quantity | how many | number of | how much",
        "scale | count | traffic | volume | load | dau | mau | daily active | monthly active | active users | userbase "
        "| user base | audience",
        "daily | day | per day | a day | each day | every day | 24 hours",
        "second | per second | a second | each second | qps | rps | tps | throughput",
        "peak | spike | spikes | spiky | burst | bursts | bursty | busiest | surge | surges | rush | flash | viral | "
        "suddenly | sudden | hot link | hot key | hotspot",
        "group | groups | room | rooms | multi party | multi-party | many people | several people | team chat",
        "direct | one on one | one-on-one | 1:1 | 1-1 | 1 on 1 | 1-on-1 | one to one | one-to-one | private | dm | dms "
        "| two people",
        "media | multimedia | image | images | photo | photos | picture | pictures | pic | pics | video | videos | "
        "attachment | attachments | file | files | gif | gifs | rich content",
        "encrypt | encryption | encrypted | e2e | e2ee | end to end | end-to-end",
        "auth | authentication | authenticate | login | log in | logins | sign in | signin | sign up | signup | "
        "password | passwords | credentials",
        "device | devices | phone | phones | laptop | tablet | desktop | multi device | multi-device",
        "receipt | receipts | delivery confirmation | confirmation | confirm | acknowledgement | acknowledgment | ack | "
        "delivery receipt | delivery status | ticks | tick | checkmark | checkmarks | seen | read receipt",
        "typing | is typing | typing indicator | typing indicators | dots",
        "duration | years | how long | months | lifetime | horizon",
        "cost | budget | cheap | expensive | money | price | pricing",
        "mobile | ios | android | app store",
        "web | browser | browsers | website",
        "analytics | analytic | stats | statistics | metrics | tracking | clicks | click | dashboards | reporting",
        "expire | expiry | expiration | expires | expired | ttl | time to live | stop working | stops working | no "
        "longer work | valid until | validity",
        "custom | customised | customized | vanity | pick their own | choose their own | themselves | user chosen | "
        "user-chosen | user defined | user-defined | chosen by",
        "duplicate | duplicates | dedupe | dedup | deduplicate | deduplication | twice | same | identical | exactly "
        "once | at least once | at most once | idempotent | idempotency",
        "priority | priorities | prioritise | prioritize | urgent | important | critical",
        "preference | preferences | opt out | opt-out | opt in | unsubscribe | settings | mute | do not disturb | turn "
        "off | switch off | disable | stop receiving",
        "email | emails | e-mail | mail | smtp",
        "sms | twilio | phone number | phone numbers",
        "template | templates | templating | localised | localized | translations",
        "schedule | scheduled | scheduling | later | future time | send at | tomorrow | morning | specific time | go "
        "out at | in the future",
        "rank | ranking | ranked | relevance | popular | popularity | top | best",
        "suggestion | suggestions | suggest | completions | autocomplete | auto complete | predictions | typeahead",
        "prefix | prefixes | starts with | beginning | first letters | first few letters | keystroke | keystrokes | key "
        "press | keypress | key presses | every character | each character | every letter",
        "language | languages | multilingual | unicode | non english | non-english | english only | spanish | chinese | "
        "french | german | japanese | hindi | arabic | portuguese | korean",
        "personalise | personalize | personalised | personalized | per user results | tailored | history based",
        "typo | typos | misspelling | misspelled | spelling | fuzzy | spell check",
        "fresh | freshness | recrawl | re-crawl | up to date | how often | frequency | stale | trending | trend | "
        "becomes popular | newly popular",
        "page | pages | web pages | documents | urls | html",
        "polite | politeness | robots | robots.txt | crawl delay | overload sites | hammer | respectful | rude",
        "trap | traps | infinite | loops | spider trap | malicious | spam",
        "follow | follows | following | followers | follower | subscribe | friends | friend | connections",
        "feed | timeline | home feed | newsfeed | news feed | stream",
        "celebrity | celebrities | famous | influencer | influencers | hot users | popular accounts | millions of followers",
        "likecount | likes | reactions | comment | comments | engagement",
        "ad | ads | advertising | advertisements | sponsored",
        "limit | limits | limited | limiting | throttle | throttled | throttling | quota | quotas | allowance",
        "rule | rules | policy | policies | configurable | configuration | config",
        "distributed | cluster | multiple servers | many servers | fleet | several servers | horizontally",
        "accurate | accuracy | exact | exactly | precise | precision | approximate | approximately | tolerance | slack",
        "fail | fails | failure | failures | crash | crashes | dies | down | unavailable | fail open | fail closed",
        "header | headers | 429 | too many requests | retry after | retry-after | status code | error code | remaining | left",
        "ip | ip address | api key | api keys | user id | per user | per client | key by | identify",
        "short | shorter | shortest | length of the | how many characters | key length | code length | compact",
        "redirect | redirects | 301 | 302 | permanent redirect | temporary redirect | forward",
        "link | links | url | urls | short url | short link | short urls",
        "scroll | scrolling | scroll up | scroll back | paginate | pagination | paginated | load more | infinite scroll "
        "| earlier messages | older messages | older posts | previous messages",
        "response | responses | respond | reply | replies | return | returned | returns | get back | gets back | told | "
        "tell the client",
        "overshoot | overshoots | exceed | exceeds | exceeding | extra requests | slightly over | go over | let through "
        "| slip through | a few extra",
        "receipt | has read | have read | was read | read it | seen it | opened it",
        "outofscope | out of scope | leave out | leave aside | not build | not building | not design | not cover | skip "
        "| ignore | exclude | excluded | in scope | scope",
        "loss | lose | lost | losing | data loss | drop | dropped | dropping",
        "tradeoff | trade off | trade-off | tradeoffs | trade-offs",
        "inhouse | our own | in-house | in house | build ourselves | ourselves",
        "concurrent | same time | at the same time | simultaneously | simultaneous | concurrently | at once | same moment",
    )
)


# Words that only frame a question ("do we need", "should the system") and say nothing of
# what is asked. Kept apart from keywords.STOPWORDS so matching answers is not changed by it.
QUESTION_STOPWORDS = frozenset(
    _split(
        "a | able | about | actually | allow | allowed | allows | also | an | and | any | anything | app | application "
        "| approximately | are | arent | as | assume | assuming | assumption | at | be | been | being | best way | "
        "better | build | building | but | by | can | cant | case | cases | choose | correct | could | design | "
        "designing | did | do | does | doesnt | doing | dont | each | either | else | every | everything | expect | "
        "expected | expecting | fine | for | from | generally | get | go | going | gonna | got | handle | handled | "
        "handling | happen | happening | happens | has | have | having | here | how | hows | i | id | if | im | "
        "important | in | interviewer | into | is | isnt | it | its | itself | ive | just | kind | know | let | lets | "
        "like | make | makes | matter | me | much | my | need | needed | needs | of | off | ok | okay | on | one | ones "
        "| or | other | our | ours | overall | part | parts | pick | piece | pieces | platform | please | prefer | "
        "question | questions | quite | really | recommend | right | roughly | same | service | shall | should | "
        "shouldnt | so | some | something | sort | support | supported | supporting | supports | supposed | sure | "
        "system | tell | that | thats | the | their | them | then | there | theres | these | they | theyd | theyll | "
        "theyre | thing | things | this | those | to | too | type | typically | us | use | used | uses | using | very | "
        "want | wanted | wants | was | way | ways | we | wed | well | were | what | whatever | whats | when | where | "
        "whether | which | while | who | whos | will | with | wont | would | wouldnt | you | youd | youll | your | "
        "youre | yours"
    )
)


# Topics a system design does not depend on: looks, people and small talk. A question about
# them is told so, not answered with an assumption to write down.
IRRELEVANT_WORDS: tuple[str, ...] = _split(
    "your name | yourself | your team | your job | your day | enjoy | working here | work here | celebrate | "
    "celebration | party | what time is it | time is it | stock price | share price | water | music | song | songs | "
    "joke | jokes | team | teams | team size | pizza | food | profitable | profit | company | companies | org chart | "
    "manager | boss | colour | color | colours | colors | colored | coloured | blue | green | red | yellow | purple | "
    "pink | orange | black | white | grey | gray | font | fonts | typeface | logo | logos | icon | icons | bubble | "
    "bubbles | theme | themes | dark mode | light mode | animation | animations | animated | rounded | corners | pixel "
    "| pixels | shade | ringtone | sound effect | mascot | brand | branding | slogan | wallpaper | emoji skin | sticker "
    "art | font size | favourite | favorite | weather | lunch | coffee | salary | hobby | hobbies | vacation | holiday "
    "| weekend | weekends | how are you | family | birthday | horoscope | football | movie | movies | pet | dog | cat | "
    "marketing | launch party | office | dress code | your name | hiring | team lunch"
)


# Words that make a question a design decision the candidate owns ("Should we use Cassandra?").
DESIGN_CHOICE_WORDS: tuple[str, ...] = _split(
    "cloud provider | cloud | programming language | tool | tools | technology | technologies | tech stack | stack | "
    "vendor | database | databases | db | sql | nosql | postgres | postgresql | mysql | cassandra | dynamodb | mongodb "
    "| redis | memcached | kafka | rabbitmq | sqs | queue | queues | websocket | websockets | long polling | polling | "
    "sse | grpc | rest | graphql | microservice | microservices | monolith | kubernetes | docker | aws | gcp | azure | "
    "s3 | cdn | cache | caching | shard | sharding | partition | partitioning | load balancer | consistent hashing | "
    "hash | hashing | base62 | base64 | trie | bloom filter | algorithm | token bucket | leaky bucket | sliding window "
    "| fixed window | elasticsearch | hbase | bigtable | spanner | zookeeper | java | python | golang | rust | language "
    "to | framework | library | snowflake | uuid"
)


# Words any system design question may use: a question with none of these (nor any word of
# the card) is not about the design at all.
DESIGN_WORDS: tuple[str, ...] = _split(
    "authentication | auth | login | sign in | accounts | encryption | analytics | audit | durable | lose | loss | "
    "ratio | size | record | records | retention | latency | availability | consistency | scope | clients | mobile | "
    "requirement | requirements | feature | features | scope | scale | user | users | request | requests | data | "
    "storage | store | server | servers | client | clients | api | apis | latency | availability | consistency | "
    "traffic | load | peak | qps | throughput | bandwidth | security | privacy | compliance | gdpr | region | regions | "
    "backup | replication | failover | monitoring | logging | metrics | sla | slo | cost | budget | mobile | web | "
    "platform | platforms | integration | third party | rate | limit | retention | deletion | durability | reliability "
    "| security | fraud | abuse | spam | moderation"
)


# Topics a question may raise that a card's facts rarely hold (a budget, the law): when no fact
# speaks of one, the interviewer answers only on a strong match (see `Interviewer.foreign`).
FOREIGN_TOPICS: tuple[str, ...] = _split(
    "budget | money | legal | law | laws | compliance | comply | gdpr | hipaa | pci | soc2 | audit | audits | "
    "regulation | regulations | regulatory | certification | headcount"
)
