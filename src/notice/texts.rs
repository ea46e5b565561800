//! What the notice page says, in Kazakh, Russian and English: the seven grounds of Rules
//! No. 38/НҚ paragraph 16 (the Kazakh wording is the rules' own), what an owner can do about each,
//! the hosting rule, the page's labels, dates, and the language order a browser asks for.
//!
//! Every string here is trusted HTML-free text; values from policy files never come through here
//! unescaped (the page escapes them before they are put into a template).

use time::{Date, Month};

use crate::policy::Reason;

/// The page's languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Kk,
    Ru,
    En,
}

impl Lang {
    /// Kazakh first, the state language; then Russian; then English.
    pub const DEFAULT_ORDER: [Lang; 3] = [Lang::Kk, Lang::Ru, Lang::En];

    /// The BCP 47 tag, for `lang` attributes and anchors.
    pub fn code(self) -> &'static str {
        match self {
            Self::Kk => "kk",
            Self::Ru => "ru",
            Self::En => "en",
        }
    }

    /// The language's own name, for the language links.
    pub fn own_name(self) -> &'static str {
        match self {
            Self::Kk => "Қазақша",
            Self::Ru => "Русский",
            Self::En => "English",
        }
    }

    /// The order of the page's language blocks for an `Accept-Language` header: languages the
    /// browser ranks higher come first; ties, and languages it does not name, keep the default
    /// order (Kazakh, Russian, English). All three are always shown.
    pub fn order(accept_language: Option<&str>) -> [Lang; 3] {
        let Some(header) = accept_language else {
            return Self::DEFAULT_ORDER;
        };
        // The best q-value the header gives each language; None when not named at all.
        let mut q: [Option<f32>; 3] = [None; 3];
        let mut wildcard = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let range = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let weight = parts
                .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
                .find_map(|v| v.trim().parse::<f32>().ok())
                .filter(|v| (0.0..=1.0).contains(v))
                .unwrap_or(1.0);
            if range == "*" {
                wildcard = Some(weight);
                continue;
            }
            let primary = range.split('-').next().unwrap_or("");
            if let Some(i) = Self::DEFAULT_ORDER.iter().position(|l| l.code() == primary) {
                q[i] = Some(q[i].map_or(weight, |old: f32| old.max(weight)));
            }
        }
        let mut order = Self::DEFAULT_ORDER;
        let rank = |l: &Lang| {
            let i = Self::DEFAULT_ORDER.iter().position(|x| x == l).unwrap_or(0);
            // Unnamed languages rank by the wildcard, or below every named one.
            q[i].or(wildcard).unwrap_or(-1.0)
        };
        // A stable sort keeps the default order among equals.
        order.sort_by(|a, b| rank(b).total_cmp(&rank(a)));
        order
    }
}

/// The sub-paragraph's text in `lang` (paragraph 16 lists the grounds as conditions).
pub fn ground(lang: Lang, reason: Reason) -> &'static str {
    use Reason::*;
    match (lang, reason) {
        (Lang::Kk, FalseRegistrantData) => {
            "тіркелуші домендік атты тіркеу үшін ұсынған өтінімде тіркелуші туралы дұрыс емес \
             мәліметтер анықталған"
        }
        (Lang::Kk, Malware) => {
            "интернет-ресурста Интернетті қауіпсіз пайдалануға қатер төндіретін, зиянды \
             бағдарламалық қамтылым анықталған"
        }
        (Lang::Kk, CourtOrder) => {
            "домендік атты пайдалануды уақытша тоқтату туралы заңды күшіне енген сот шешімі болған"
        }
        (Lang::Kk, UnresolvedIncident) => {
            "уәкілетті органнан немесе Ақпараттық қауіпсіздікті ұлттық үйлестіру орталығынан \
             ақпараттық қауіпсіздік оқыс оқиғасы туралы хабарлама түскенде, оны тіркеуші жоймаған"
        }
        (Lang::Kk, NoCertificate) => "қауіпсіздік сертификаты (отандық немесе шетелдік) болмаған",
        (Lang::Kk, HostingOutsideKz) => {
            "Қазақстан Республикасының аумағынан тыс аппараттық-бағдарламалық кешендерде \
             интернет-ресурстар орналастырылған"
        }
        (Lang::Kk, Phishing) => {
            "интернет-ресурста Ақпараттық қауіпсіздіктің жедел орталығынан немесе Ақпараттық \
             қауіпсіздіктің оқыс оқиғаларына ден қою қызметінен, салалық Ақпараттық \
             қауіпсіздіктің жедел орталығынан келіп түскен фишингтің анықталған"
        }
        (Lang::Ru, FalseRegistrantData) => {
            "выявление в заявке на регистрацию доменного имени недостоверных сведений о регистранте"
        }
        (Lang::Ru, Malware) => {
            "обнаружение на интернет-ресурсе вредоносного программного обеспечения, создающего \
             угрозу безопасному использованию Интернета"
        }
        (Lang::Ru, CourtOrder) => {
            "наличие вступившего в законную силу решения суда о приостановлении использования \
             доменного имени"
        }
        (Lang::Ru, UnresolvedIncident) => {
            "неустранение регистрантом инцидента информационной безопасности после уведомления \
             уполномоченного органа или Национального координационного центра информационной \
             безопасности"
        }
        (Lang::Ru, NoCertificate) => {
            "отсутствие сертификата безопасности (отечественного или иностранного)"
        }
        (Lang::Ru, HostingOutsideKz) => {
            "размещение интернет-ресурсов на аппаратно-программных комплексах, находящихся за \
             пределами территории Республики Казахстан"
        }
        (Lang::Ru, Phishing) => {
            "обнаружение на интернет-ресурсе фишинга по сообщению оперативного центра \
             информационной безопасности, службы реагирования на инциденты информационной \
             безопасности или отраслевого оперативного центра информационной безопасности"
        }
        (Lang::En, FalseRegistrantData) => {
            "the registration application contains inaccurate information about the registrant"
        }
        (Lang::En, Malware) => {
            "malicious software that threatens the safe use of the Internet has been found on \
             the resource"
        }
        (Lang::En, CourtOrder) => {
            "a court decision that has entered into legal force orders the suspension of the \
             domain name"
        }
        (Lang::En, UnresolvedIncident) => {
            "the registrant did not eliminate an information-security incident after notice \
             from the authorised body or the National Information Security Coordination Centre"
        }
        (Lang::En, NoCertificate) => {
            "the resource has no security certificate (domestic or foreign)"
        }
        (Lang::En, HostingOutsideKz) => {
            "the resource is hosted on hardware and software outside the territory of the \
             Republic of Kazakhstan"
        }
        (Lang::En, Phishing) => {
            "phishing has been found on the resource, reported by an information-security \
             operations centre, an incident response service or a sectoral information-security \
             operations centre"
        }
    }
}

/// What the owner can do about this ground.
pub fn remedy(lang: Lang, reason: Reason) -> &'static str {
    use Reason::*;
    match (lang, reason) {
        (Lang::Kk, FalseRegistrantData) => {
            "Тіркеушіге тіркелуші туралы дұрыс мәліметтерді растайтын құжаттарымен бірге ұсыныңыз."
        }
        (Lang::Kk, Malware) => {
            "Сайттан зиянды бағдарламалық қамтылымды жойып, ол енген осалдықты жабыңыз және бұл \
             туралы хабарлаңыз."
        }
        (Lang::Kk, CourtOrder) => {
            "Тоқтата тұру сот шешімі талап еткенше қолданылады; ол кейінгі сот актісі негізінде \
             алынады."
        }
        (Lang::Kk, UnresolvedIncident) => {
            "Алынған хабарламада көрсетілген ақпараттық қауіпсіздік оқыс оқиғасын жойып, бұл \
             туралы хабарлаңыз."
        }
        (Lang::Kk, NoCertificate) => {
            "Домен мен барлық қосалқы домендерге жарамды SSL сертификатын орнатыңыз (.KZ доменіне \
             шығарылған, мерзімі өтпеген, өзіне қол қойылмаған) және http-ден https-ке тұрақты \
             қайта бағыттауды баптаңыз."
        }
        (Lang::Kk, HostingOutsideKz) => {
            "Сайтты (негізгі домен, www және барлық қосалқы домендер) Қазақстандағы хостингке \
             көшіріп, A, AAAA және CNAME жазбаларын қазақстандық IP-мекенжайларға бағыттаңыз."
        }
        (Lang::Kk, Phishing) => {
            "Фишингтік мазмұнды жойып, оның сайтқа қалай түскенін анықтаңыз және жойылғаны туралы \
             хабарлаңыз."
        }
        (Lang::Ru, FalseRegistrantData) => {
            "Предоставьте регистратору достоверные сведения о регистранте вместе с \
             подтверждающими документами."
        }
        (Lang::Ru, Malware) => {
            "Удалите вредоносное программное обеспечение с сайта, закройте уязвимость, через \
             которую оно попало, и сообщите об этом."
        }
        (Lang::Ru, CourtOrder) => {
            "Приостановление действует, пока этого требует решение суда; оно снимается на \
             основании последующего судебного акта."
        }
        (Lang::Ru, UnresolvedIncident) => {
            "Устраните инцидент информационной безопасности, указанный в полученном уведомлении, \
             и сообщите об этом."
        }
        (Lang::Ru, NoCertificate) => {
            "Установите действительный SSL-сертификат для домена и всех поддоменов (выданный на \
             имя в .KZ, не просроченный, не самоподписанный) и настройте постоянное \
             перенаправление с HTTP на HTTPS."
        }
        (Lang::Ru, HostingOutsideKz) => {
            "Перенесите сайт (основной домен, www и все поддомены) на хостинг в Казахстане и \
             направьте записи A, AAAA и CNAME на казахстанские IP-адреса."
        }
        (Lang::Ru, Phishing) => {
            "Удалите фишинговое содержимое, выясните, как оно попало на сайт, и сообщите об \
             устранении."
        }
        (Lang::En, FalseRegistrantData) => {
            "Give your registrar accurate registrant details, with documents that prove them."
        }
        (Lang::En, Malware) => {
            "Remove the malicious software from the site, close the hole it came in through, \
             and report the clean-up."
        }
        (Lang::En, CourtOrder) => {
            "The suspension lasts as long as the court decision requires; a later court act \
             lifts it."
        }
        (Lang::En, UnresolvedIncident) => {
            "Eliminate the information-security incident named in the notice you received, and \
             report it."
        }
        (Lang::En, NoCertificate) => {
            "Install a valid TLS certificate for the domain and every subdomain (issued for the \
             .KZ name, unexpired, not self-signed) and redirect HTTP to HTTPS permanently."
        }
        (Lang::En, HostingOutsideKz) => {
            "Move the site (the domain, www and every subdomain) to hosting in Kazakhstan and \
             point its A, AAAA and CNAME records to Kazakh IP addresses."
        }
        (Lang::En, Phishing) => {
            "Remove the phishing content, find out how it got onto the site, and report the \
             clean-up."
        }
    }
}

/// The page's fixed wording in one language.
#[derive(Debug)]
pub struct Ui {
    pub suspended_title: &'static str,
    pub suspended_lead: &'static str,
    pub hosting_title: &'static str,
    pub hosting_lead: &'static str,
    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    pub label_domain: &'static str,
    pub label_suspended_domain: &'static str,
    /// After the suspended domain when it is a parent of the name opened.
    pub and_below: &'static str,
    pub label_ground: &'static str,
    pub label_reference: &'static str,
    pub label_since: &'static str,
    pub label_note: &'static str,
    pub label_foreign: &'static str,
    pub label_rule: &'static str,
    /// The hosting rule: hosting in KZ for apex, www and subdomains; DNS and mail anywhere;
    /// DDoS protection with a filed document.
    pub hosting_rules: [&'static str; 3],
    pub what_to_do: &'static str,
    /// "If this is your domain:", before the ground's remedy.
    pub owner_lead: &'static str,
    /// After the remedy of a suspension: whom to tell, and when the domain works again.
    pub owner_then: &'static str,
    /// After the remedy of a hosting violation.
    pub hosting_owner_then: &'static str,
    /// "If you are a visitor:", before `visitor`.
    pub visitor_lead: &'static str,
    pub visitor: &'static str,
    pub contact: &'static str,
}

const KK: Ui = Ui {
    suspended_title: "Домендік атаудың пайдаланылуы уақытша тоқтатылды",
    suspended_lead: "Интернеттің қазақстандық сегментінің кеңістігінде домендік атауларды тіркеу, \
        пайдалану және бөлу қағидаларының (Қазақстан Республикасы Қорғаныс және аэроғарыш \
        өнеркәсібі министрінің 2018 жылғы 13 наурыздағы № 38/НҚ бұйрығы) 16-тармағына сәйкес \
        бұл домендік атаудың пайдаланылуы уақытша тоқтатылды.",
    hosting_title: "Сайт Қазақстаннан тыс орналастырылған",
    hosting_lead: "Бұл атаудың DNS жазбалары Қазақстаннан тыс мекенжайларға сілтейді, сондықтан \
        .KZ аймағының DNS сервері келушілерді сайттың орнына осы бетке бағыттайды.",
    not_found_title: "Бұл мекенжай үшін хабарлама жоқ",
    not_found_text: "Бұл сервер .KZ және .ҚАЗ аймақтарындағы тоқтатылған домендік атаулар туралы \
        хабарламаларды көрсетеді. Сіз ашқан атау үшін хабарлама жоқ.",
    label_domain: "Домендік атау",
    label_suspended_domain: "Тоқтатылған домен",
    and_below: "және оның барлық қосалқы домендері",
    label_ground: "Негіз",
    label_reference: "Құжат нөмірі",
    label_since: "Тоқтатылған күні",
    label_note: "Ескертпе",
    label_foreign: "Қазақстаннан тыс мекенжайлар",
    label_rule: "Талап",
    hosting_rules: [
        "Хостинг негізгі домен үшін де, www және басқа да қосалқы домендер үшін де Қазақстанда \
         болуы тиіс: A (IPv4), AAAA (IPv6) және CNAME жазбалары Қазақстанда тіркелген және \
         жарияланатын дербес жүйеге (AS) бекітілген IP-мекенжайларға сілтеме жасауға міндетті \
         (IP-мекенжайдың whois деректерінде country: KZ).",
        "DNS және поштаны кез келген елде орналастыруға болады: NS, MX, TXT, SPF жазбалары және \
         олар көрсететін серверлер кез келген елде болуы мүмкін.",
        "DDoS-шабуылдардан қорғану қызметтері (Cloudflare, StormWall, DDoS-GUARD, Qrator, \
         Imperva Incapsula және т.б.) хостингтің мекенжайын жасырады; хостингтің Қазақстанда \
         орналасқанын растайтын құжат (ақы төленгенін растайтын құжат немесе қолданыстағы шарт) \
         уәкілетті органға ұсынылған жағдайда оларды пайдалануға болады.",
    ],
    what_to_do: "Не істеу керек",
    owner_lead: "Егер бұл сіздің доменіңіз болса:",
    owner_then: "Содан кейін құжат нөмірін көрсетіп, төмендегі байланыс мекенжайына \
        хабарласыңыз. Тоқтата тұру алынғаннан кейін домен қайта жұмыс істейді.",
    hosting_owner_then: "Жазбалар түзетілгеннен кейін бірнеше минут ішінде келушілер сайтқа \
        қайта кіре алады.",
    visitor_lead: "Егер сіз келуші болсаңыз:",
    visitor: "бұл мекенжайдағы сайт уақытша қолжетімсіз. Құрылғыңыз бен қосылымыңызда ақау жоқ.",
    contact: "Байланыс",
};

const RU: Ui = Ui {
    suspended_title: "Использование доменного имени приостановлено",
    suspended_lead: "Использование этого доменного имени временно приостановлено в соответствии \
        с пунктом 16 Правил регистрации, пользования и распределения доменных имён в пространстве \
        казахстанского сегмента Интернета (приказ Министра оборонной и аэрокосмической \
        промышленности Республики Казахстан от 13 марта 2018 года № 38/НҚ).",
    hosting_title: "Сайт размещён за пределами Казахстана",
    hosting_lead: "DNS-записи этого имени указывают на адреса за пределами Казахстана, поэтому \
        DNS-сервер зоны .KZ направляет посетителей не на сайт, а на эту страницу.",
    not_found_title: "Для этого адреса нет уведомления",
    not_found_text: "Этот сервер показывает уведомления о приостановленных доменных именах в \
        зонах .KZ и .ҚАЗ. Для открытого вами имени уведомления нет.",
    label_domain: "Доменное имя",
    label_suspended_domain: "Приостановленный домен",
    and_below: "и все его поддомены",
    label_ground: "Основание",
    label_reference: "Номер документа",
    label_since: "Дата приостановления",
    label_note: "Примечание",
    label_foreign: "Адреса за пределами Казахстана",
    label_rule: "Правило",
    hosting_rules: [
        "Хостинг должен находиться в Казахстане и для основного домена, и для www, и для всех \
         поддоменов: записи A (IPv4), AAAA (IPv6) и CNAME должны указывать на IP-адреса \
         автономной системы (AS), зарегистрированной и анонсируемой в Казахстане (в whois \
         IP-адреса: country: KZ).",
        "DNS и почту можно размещать в любой стране: записи NS, MX, TXT и SPF и серверы, на \
         которые они указывают, могут находиться где угодно.",
        "Защита от DDoS-атак (Cloudflare, StormWall, DDoS-GUARD, Qrator, Imperva Incapsula и \
         др.) скрывает адрес хостинга; она допустима, если владелец представил в уполномоченный \
         орган документ, подтверждающий хостинг в Казахстане (оплаченный счёт или действующий \
         договор).",
    ],
    what_to_do: "Что делать",
    owner_lead: "Если это ваш домен:",
    owner_then: "Затем обратитесь по контакту ниже, назвав номер документа. После снятия \
        приостановления домен снова заработает.",
    hosting_owner_then: "Через несколько минут после исправления записей посетители снова \
        попадут на сайт.",
    visitor_lead: "Если вы посетитель:",
    visitor: "сайт по этому адресу временно недоступен. С вашим устройством и подключением всё \
        в порядке.",
    contact: "Куда обращаться",
};

const EN: Ui = Ui {
    suspended_title: "This domain name is suspended",
    suspended_lead: "Use of this domain name has been temporarily suspended under paragraph 16 \
        of the Rules for registration, use and distribution of domain names in the Kazakhstan \
        segment of the Internet (Order No. 38/НҚ of the Minister of Defence and Aerospace \
        Industry of the Republic of Kazakhstan, 13 March 2018).",
    hosting_title: "This site is hosted outside Kazakhstan",
    hosting_lead: "The DNS records of this name lead to addresses outside Kazakhstan, so the \
        .KZ DNS server sends visitors to this page instead of the site.",
    not_found_title: "No notice for this address",
    not_found_text: "This server shows notices for suspended .KZ and .ҚАЗ domain names. The \
        name you opened has none.",
    label_domain: "Domain name",
    label_suspended_domain: "Suspended domain",
    and_below: "and every name below it",
    label_ground: "Ground",
    label_reference: "Reference",
    label_since: "Suspended since",
    label_note: "Note",
    label_foreign: "Addresses outside Kazakhstan",
    label_rule: "The rule",
    hosting_rules: [
        "Hosting must be in Kazakhstan for the domain itself, for www and for every other \
         subdomain: their A (IPv4), AAAA (IPv6) and CNAME records must lead to IP addresses of \
         an autonomous system (AS) registered and announced in Kazakhstan (the address's whois \
         shows country: KZ).",
        "DNS and mail may be anywhere: NS, MX, TXT and SPF records, and the servers they name, \
         may be in any country.",
        "DDoS protection (Cloudflare, StormWall, DDoS-GUARD, Qrator, Imperva Incapsula, ...) \
         hides the hosting address; it is allowed once the owner has filed with the authorised \
         body a document proving the hosting is in Kazakhstan (a paid invoice or a current \
         hosting contract).",
    ],
    what_to_do: "What to do",
    owner_lead: "If this is your domain:",
    owner_then: "Then get in touch at the contact below, quoting the reference. The domain \
        works again once the suspension is lifted.",
    hosting_owner_then: "Visitors reach the site again within minutes of the records being \
        fixed.",
    visitor_lead: "If you are a visitor:",
    visitor: "the site at this address is unavailable for now. Nothing is wrong with your \
        device or connection.",
    contact: "Contact",
};

/// The fixed wording in `lang`.
pub fn ui(lang: Lang) -> &'static Ui {
    match lang {
        Lang::Kk => &KK,
        Lang::Ru => &RU,
        Lang::En => &EN,
    }
}

/// "Sub-paragraph N of paragraph 16", as each language cites it.
pub fn citation(lang: Lang, subparagraph: u8) -> String {
    match lang {
        Lang::Kk => format!("16-тармақтың {subparagraph}) тармақшасы"),
        Lang::Ru => format!("Подпункт {subparagraph}) пункта 16"),
        Lang::En => format!("Paragraph 16, sub-paragraph {subparagraph}"),
    }
}

/// An exemption for DDoS protection that has run out; `provider` and `document` arrive
/// HTML-escaped.
pub fn exemption_expired(lang: Lang, provider: &str, document: &str, expired: Date) -> String {
    let date = date(lang, expired);
    match lang {
        Lang::Kk => format!(
            "DDoS-қорғау үшін ұсынылған құжаттың ({provider}, {document}) мерзімі {date} өтіп кетті."
        ),
        Lang::Ru => format!(
            "Срок документа, представленного для защиты от DDoS ({provider}, {document}), \
             истёк {date}."
        ),
        Lang::En => format!(
            "The document filed for DDoS protection ({provider}, {document}) expired on {date}."
        ),
    }
}

/// A calendar date as each language writes it in running text.
pub fn date(lang: Lang, date: Date) -> String {
    let (y, d) = (date.year(), date.day());
    let m = date.month() as usize - 1;
    match lang {
        Lang::Kk => format!("{y} жылғы {d} {}", KK_MONTHS[m]),
        Lang::Ru => format!("{d} {} {y} г.", RU_MONTHS_GENITIVE[m]),
        Lang::En => format!("{d} {} {y}", EN_MONTHS[m]),
    }
}

const KK_MONTHS: [&str; 12] = [
    "қаңтар",
    "ақпан",
    "наурыз",
    "сәуір",
    "мамыр",
    "маусым",
    "шілде",
    "тамыз",
    "қыркүйек",
    "қазан",
    "қараша",
    "желтоқсан",
];
const RU_MONTHS_GENITIVE: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

// `Month` is 1-based; the tables above are indexed from January = 0.
const _: () = assert!(Month::January as usize == 1);

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn default_order_is_kazakh_russian_english() {
        assert_eq!(Lang::order(None), [Lang::Kk, Lang::Ru, Lang::En]);
        assert_eq!(Lang::order(Some("")), [Lang::Kk, Lang::Ru, Lang::En]);
        assert_eq!(Lang::order(Some("de-DE,de;q=0.9")), Lang::DEFAULT_ORDER);
        assert_eq!(Lang::order(Some("kk-KZ,ru")), Lang::DEFAULT_ORDER);
    }

    #[test]
    fn browser_preferences_reorder() {
        let ru_browser = "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7";
        assert_eq!(
            Lang::order(Some(ru_browser)),
            [Lang::Ru, Lang::En, Lang::Kk]
        );
        assert_eq!(Lang::order(Some("en")), [Lang::En, Lang::Kk, Lang::Ru]);
        assert_eq!(
            Lang::order(Some("en;q=0.5, RU-ru;q=0.8, kk;q=0.1")),
            [Lang::Ru, Lang::En, Lang::Kk]
        );
        // The wildcard ranks the languages not named.
        assert_eq!(
            Lang::order(Some("de, *;q=0.5, en;q=0.2")),
            [Lang::Kk, Lang::Ru, Lang::En]
        );
        // Garbage is ignored rather than trusted.
        assert_eq!(
            Lang::order(Some("ru;q=7, ;;, en;q=x")),
            [Lang::Ru, Lang::En, Lang::Kk]
        );
    }

    #[test]
    fn every_ground_has_three_texts_and_remedies() {
        for reason in Reason::ALL {
            for lang in Lang::DEFAULT_ORDER {
                assert!(ground(lang, reason).len() > 20, "{reason} {lang:?}");
                assert!(remedy(lang, reason).ends_with('.'), "{reason} {lang:?}");
            }
        }
        assert!(ground(Lang::Kk, Reason::CourtOrder).contains("сот шешімі"));
        assert!(ground(Lang::Ru, Reason::Phishing).contains("фишинга"));
    }

    #[test]
    fn dates_in_running_text() {
        let d = date!(2026 - 11 - 28);
        assert_eq!(date(Lang::Kk, d), "2026 жылғы 28 қараша");
        assert_eq!(date(Lang::Ru, d), "28 ноября 2026 г.");
        assert_eq!(date(Lang::En, d), "28 November 2026");
        assert_eq!(date(Lang::En, date!(2027 - 01 - 01)), "1 January 2027");
        assert_eq!(citation(Lang::Ru, 3), "Подпункт 3) пункта 16");
    }
}
