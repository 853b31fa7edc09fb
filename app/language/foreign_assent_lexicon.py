"""Closed vocabularies of a plain go-ahead, one per language, for `foreign_assent`.

Each language lists only words that cannot change a deal: words of assent and go-ahead
(`strong`), and courtesy, particles, address terms and the words around them (`weak`). A word
that could carry a condition, a limit, a negation or a question in *that* language ("pero",
"lang" alone is fine but "isa" is not, "bas", "jekk", "nur", "bara") is left out, or allowed
only inside a phrase that fixes its meaning ("jekk jogħġbok" is "please", "bila shaka" is
"without doubt"). Words that mean "it's fine, no need" as often as "go ahead" (Japanese
"daijoubu", Korean "gwaenchanayo", French "c'est bon") are never strong. The proposal's
action appears as `refund`, `return` or `either` nouns, so "do the return" in a reply to a
refund is never read as a yes to it.

Hand-written rather than from a library: no maintained package lists consent words across
languages, and each list is short enough to review by a speaker. Spellings are as typed in
chat: with and without accents, romanised forms (Greeklish, Franco-Arabic with its digit
letters, Finglish, romanised Hindi and Hebrew) beside the native script.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Vocabulary:
    language: str
    strong: str  # words, space-separated; a multiword entry joins its words with "_"
    weak: str = ""
    refund: str = ""  # names the refund only
    return_: str = ""  # names the return of goods only
    either: str = ""  # names either ("iade", "возврат")
    # Its words of refusal, condition and limit ("no", "but", "if", "only"). Some are another
    # language's yes ("tak" is Polish yes and Malay no, "aiwa" Egyptian yes and Shona no):
    # beside this language's own words, they veto.
    vetoes: str = ""


VOCABULARIES: tuple[Vocabulary, ...] = (
    Vocabulary(
        "es",
        strong="si vale claro dale perfecto confirmo acepto adelante procede proceda procedan "
        "hazlo hagalo haganlo de_acuerdo esta_bien okey orale sale porfa_si por_supuesto "
        "exactamente",
        weak="gracias muchas por_favor porfa porfis senor senora amigo amiga el la lo mi "
        "hagan haga haz muy bien pues entonces que con puede pueden usted",
        refund="reembolso reembolsar reembolsen reembolsame",
        return_="devolucion devolver",
        vetoes="no nunca tampoco pero solo solamente si_no cuando",
    ),
    Vocabulary(
        "pt",
        strong="sim claro combinado perfeito confirmo aceito pode pode_fazer prossiga "
        "prosseguir beleza bora fechado isso pode_seguir com_certeza exatamente",
        weak="obrigado obrigada valeu por_favor o a faca faz fazer pode seguir muito "
        "moco moca senhor senhora tudo bem esta com",
        refund="reembolso reembolsar estorno",
        return_="devolucao devolver",
        vetoes="nao nunca mas so somente quando se",
    ),
    Vocabulary(
        "fr",
        strong="oui ouais ouaip daccord d_accord allez_y vas_y fais_le faites_le parfait "
        "entendu volontiers bien_sur ca_marche absolument tout_a_fait je_confirme",
        weak="merci beaucoup svp stp s_il_vous_plait s_il_te_plait cher chere madame "
        "monsieur c_est_bon ca le la les alors tres bien oui allez fais faites vous pouvez "
        "proceder c_est",
        refund="remboursement rembourser remboursez",
        return_="retour",
        vetoes="non jamais pas mais seulement si quand",
    ),
    Vocabulary(
        "it",
        strong="si certo va_bene daccordo d_accordo perfetto confermo accetto procedi "
        "proceda procedete fallo fatelo ok_procedi certamente assolutamente",
        weak="grazie mille per_favore pure il lo la signore signora allora bene",
        refund="rimborso rimborsare",
        return_="reso",
        vetoes="no non mai ma solo soltanto se quando",
    ),
    Vocabulary(
        "de",
        strong="ja jawohl jep jo einverstanden gerne gern passt klar genau perfekt "
        "bestatige bestaetige machen mach_das machen_sie_das in_ordnung sehr_gut nur_zu "
        "los_geht_s auf_jeden_fall selbstverstandlich",
        weak="bitte danke schon vielen_dank dank das es sie bitteschon super prima "
        "gut okay so durchfuhren durchfuehren erstatten konnen koennen",
        refund="erstattung ruckerstattung rueckerstattung",
        return_="rucksendung ruecksendung retoure",
        vetoes="nein nicht nee aber nur wenn falls",
    ),
    Vocabulary(
        "nl",
        strong="ja graag prima akkoord oke goed doe_maar ga_je_gang ga_uw_gang ga_maar "
        "bevestig zeker natuurlijk",
        weak="dank_je_wel dank_u_wel bedankt alsjeblieft alstublieft het hoor",
        refund="terugbetaling",
        return_="retour retourzending",
        vetoes="nee niet geen maar alleen als",
    ),
    Vocabulary(
        "pl",
        strong="tak dobrze zgoda zgadzam_sie jasne pewnie oczywiscie potwierdzam akceptuje "
        "okej smialo dawaj",
        weak="prosze poprosze dziekuje dzieki bardzo pan pani zrobic zrobcie",
        either="zwrot zwrotu",
        vetoes="nie ale tylko jesli",
    ),
    Vocabulary(
        "el",
        strong="ναι εντάξει εντάξ προχωρήστε προχώρα προχωράμε κάντε κάντο κάνε συμφωνώ "
        "φυσικά βεβαίως βέβαια εμπρός οκ οκει πάμε pame "
        "nai entaksei entaxei entaksi proxwra proxora proxwrhste proxoriste proxwriste "
        "symfwnw simfono fysika kanto kante",
        weak="ευχαριστώ ευχαριστούμε πολύ παρακαλώ με την τη το σας έλα ρε ela re "
        "efxaristw eyxaristw euxaristw efharisto parakalw parakalo poly poli me thn tin "
        "to sas",
        refund="επιστροφή_χρημάτων epistrofh_xrhmatwn epistrofi_xrimaton",
        either="επιστροφή επιστροφής epistrofh epistrofi",
        vetoes="όχι οχι oxi ochi den δεν αλλά αλλα μόνο μονο αν alla mono an",
    ),
    Vocabulary(
        "he",
        strong="כן בסדר סבבה יאללה בטח ברור קדימה מאשר מאשרת אוקיי אוקי תעשה תעשי תעשו "
        "תתחיל תתחילי תתחילו תתקדם תתקדמי תתקדמו לגמרי "
        "ken beseder sababa yalla yallah betach kadima maasher",
        weak="תודה רבה בבקשה את זה אחי אחותי מותק toda raba bevakasha achi et ze",
        refund="ההחזר החזר הכסף כספי זיכוי",
        return_="ההחזרה החזרה",
        vetoes="לא lo אבל רק אם aval rak im",
    ),
    Vocabulary(
        "ar",
        strong="نعم ايوه ايوا اه تمام ماشي موافق موافقه طيب حاضر اكيد يلا يالا كمل كملي "
        "اعمل اعملها اعمله ابدا اتفضل تفضل اوكي بالتاكيد طبعا "
        "aywa aiwa aywah 2aywa aiwah tamam tmam mashi mashy mashe yalla yallah kamel "
        "kammel e3mel a3mel e3melha mwafe2 mowafe2 akid akeed 7ader hader tayeb tayyeb "
        "na3am",
        weak="شكرا جزيلا من_فضلك لو_سمحت ربنا يخليك الله يبارك فيك يا باشا حبيبي اخي "
        "ياريت و فندم افندم مفيش_مشكله shokran shukran awi gedan gidan ya basha habibi fandem "
        "mafeesh_moshkela mafish_mushkila mafeesh_moshkla jazak_allah_khair jazakallah "
        "jazakallah_khair inshallah insha_allah alhamdulillah mashallah",
        refund="الفلوس فلوسي استرداد الاسترداد المبلغ رجعلي الريفاند ريفاند",
        return_="المرتجع الارجاع ارجاع",
        either="الاسترجاع استرجاع رجع",
        vetoes="لا مش لأ la la2 mesh msh بس لكن فقط لو اذا bas lakin bs law",
    ),
    Vocabulary(
        "fa",
        strong="بله بلی آره اره باشه حتما موافقم اوکی انجام_بدید انجام_بدین انجام_بدهید "
        "بفرمایید bale baleh are areh bashe basheh hatman movafegham",
        weak="ممنون ممنونم مرسی سپاس لطفا خیلی دستتون_درد_نکنه رو را mamnoon mamnun "
        "merci mersi lotfan kheili kheyli",
        refund="بازگشت_وجه پول پولم",
        return_="مرجوعی مرجوع",
        vetoes="نه نخیر na nakheir nakhair ولی اما فقط اگه اگر vali faghat age",
    ),
    Vocabulary(
        "tr",
        strong="evet tamam tamamdir olur peki tabii tabi elbette onayliyorum kabul_ediyorum "
        "devam_edin devam_et yapin baslatin baslat olsun",
        weak="lutfen tesekkurler tesekkur_ederim sagol sagolun abi abla hocam efendim hemen "
        "cok kolay_gelsin",
        refund="para_iadesi paramı parami",
        either="iade iadesi iadeyi",
        vetoes="hayir degil yok ama sadece eger",
    ),
    Vocabulary(
        "ru",
        strong="да давайте давай хорошо ладно конечно согласен согласна подтверждаю "
        "оформляйте оформите делайте сделайте ок окей угу "
        "da davai davaite horosho khorosho ladno konechno",
        weak="спасибо большое пожалуйста spasibo bolshoe pozhaluysta pozhaluista",
        either="возврат возврата",
        vetoes="нет не net ne но только если no tolko",
    ),
    Vocabulary(
        "uk",
        strong="так добре гаразд звісно звичайно погоджуюсь давайте ок",
        weak="дякую будь_ласка",
        either="повернення",
        vetoes="ні не але тільки якщо",
    ),
    Vocabulary(
        "hi",
        strong="haan haanji hanji theek_hai thik_hai theek_h bilkul zaroor zarur jaroor "
        "chalo chaliye kardo kar_do kar_dijiye kar_dijie kijiye karo_ji "
        "हाँ हां जी ठीक_है बिल्कुल ज़रूर जरूर कर_दो कर_दीजिए कीजिए "
        "ہاں جی ٹھیک_ہے بالکل ضرور کر_دیں",
        weak="ji hai shukriya dhanyavaad dhanyawad bhai bhaiya sir madam aap jaldi "
        "धन्यवाद शुक्रिया भाई شکریہ",
        refund="paisa paise wapas wapis पैसे वापस",
        vetoes="nahi nahin mat na नहीं मत نہیں agar magar lekin sirf bas par अगर लेकिन सिर्फ़ सिर्फ पर",
    ),
    Vocabulary(
        "bn",
        strong="হ্যাঁ হ্যা ঠিক_আছে অবশ্যই করুন করে_দিন hya hyan thik_ache thik_achhe "
        "obosshoi korun kore_din",
        weak="ধন্যবাদ ভাই আপা dhonnobad dhonyobad bhai apa",
        refund="টাকা ফেরত taka ferot",
        vetoes="na না kintu shudhu jodi কিন্তু শুধু যদি",
    ),
    Vocabulary(
        "id",
        strong="ya iya iyaa yaa yap yup boleh oke okey okay baik baiklah silakan silahkan "
        "lanjut lanjutkan setuju sip siap mantap betul benar proses prosesnya diproses "
        "gas gaskeun",
        weak="terima_kasih makasih trims tolong saja aja dong deh kak kakak pak bu mas "
        "mbak bang gan min nya saya sy segera sekarang",
        refund="pengembalian_dana refundnya dana uang dananya uangnya",
        return_="retur returnya pengembalian_barang",
        vetoes="tidak tak gak ga nggak enggak jangan bukan belum tapi cuma hanya kalau asal",
    ),
    Vocabulary(
        "tl",
        strong="oo opo sige game ituloy tuloy pakituloy ayos pwede tara tama",
        weak="po na lang salamat maraming ninyo niyo nyo mo ang yung yan iyan",
        vetoes="hindi wag huwag ayaw pero lang_po_sana kung basta",
    ),
    Vocabulary(
        "sw",
        strong="ndio ndiyo ndyo sawa sawasawa endelea endeleeni endelee fanya haya poa "
        "kabisa naam bila_shaka anza anzisha",
        weak="asante asanteni sana tafadhali karibu rafiki ndugu mama bwana dada kaka "
        "kwa_msaada hakuna_shida hakuna_matata tu",
        refund="pesa nirudishie rudisha",
        either="marejesho",
        vetoes="hapana si sio siyo lakini tu kama ila",
    ),
    Vocabulary(
        "mt",
        strong="iva ija mela mur aghmel ibda kompli tajjeb naqbel kollox_sew",
        weak="grazzi hafna jekk_joghgbok ir r il l sinjur sinjura habib bla_problemi",
        refund="rifuzjoni flus",
        return_="ritorn",
        vetoes="le imma biss jekk",
    ),
    Vocabulary(
        "sn",
        strong="hongu ehe zvakanaka endererai enderera itai ita hezvo ndizvo",
        weak="maita_basa ndatenda tatenda mazvita ndapota shamwari",
        refund="mari",
        vetoes="kwete aiwa asi chete kana",
    ),
    Vocabulary(
        "zu",
        strong="yebo ewe kulungile qhubeka qhubekani ngiyavuma",
        weak="ngiyabonga siyabonga enkosi ndiyabulela kakhulu",
        vetoes="cha qha kodwa kuphela uma",
    ),
    Vocabulary(
        "yo",
        strong="beeni o_dara",
        weak="e_se ese o_se",
    ),
    Vocabulary(
        "am",
        strong="አዎ እሺ",
        weak="አመሰግናለሁ",
    ),
    Vocabulary(
        "vi",
        strong="vang da duoc dong_y tien_hanh lam_di ok oke duoc_roi",
        weak="a cam_on cam_on_nhieu nhieu em anh chi nhe nha luon giup cho toi minh voi nhe_a oi",
        refund="hoan_tien",
        return_="tra_hang",
        vetoes="khong dung nhung chi neu",
    ),
    Vocabulary(
        "th",
        strong="ใช่ ได้ ตกลง โอเค ดำเนินการ จัดการ ครับ ค่ะ คับ จ้า chai dai toklong krub khrap kha ka",
        weak="คะ จ้ะ นะ เลย ขอบคุณ มาก ให้ หน่อย ด้วย ขอ ทำ khob_khun khop_khun khobkhun "
        "khopkhun mak na loei sabai_sabai",
        refund="คืนเงิน",
        return_="คืนสินค้า",
        vetoes="ไม่ แต่ ถ้า",
    ),
    Vocabulary(
        "zh",
        strong="好 好的 好滴 可以 行 是 是的 对 對 没问题 沒問題 同意 确认 確認 继续 繼續 "
        "办理 辦理 处理 處理",
        weak="麻烦 麻煩 请 請 吧 了 啊 呀 呢 谢谢 謝謝 谢 謝 多谢 多謝 感谢 感謝 你 您 开始 開始 "
        "马上 馬上 帮 幫 我",
        refund="退款",
        return_="退货 退貨",
        vetoes="不 没 別 别 但是 但 只 如果",
    ),
    Vocabulary(
        "ja",
        strong="はい ええ お願いします おねがいします 了解 了解です 承知しました 進めて すすめて "
        "オッケー どうぞ",
        weak="ください 下さい します お願い を で ありがとう ございます 助かります よろしく 宜しく "
        "です",
        refund="返金",
        return_="返品",
        vetoes="いいえ いや でも けど だけ なら",
    ),
    Vocabulary(
        "ko",
        strong="네 넵 예 좋아요 좋습니다 진행해 진행 부탁드립니다 부탁해요 알겠습니다 동의합니다 "
        "해주세요 해",
        weak="감사합니다 고맙습니다 주세요 요 부탁 드립니다 그렇게",
        refund="환불",
        return_="반품",
        vetoes="아니 아니요 안 근데 하지만 만 면",
    ),
    Vocabulary(
        "sv",
        strong="ja jo japp absolut garna kor kor_pa gor_det okej visst",
        weak="tack sa mycket",
        refund="aterbetalning",
        return_="retur",
        vetoes="nej inte men bara om",
    ),
    Vocabulary(
        "no",
        strong="ja jo gjerne greit kjor kjor_pa gjor_det",
        weak="takk tusen mye",
        refund="refusjon",
        return_="retur",
        vetoes="nei ikke men bare hvis",
    ),
    Vocabulary(
        "da",
        strong="ja jo gerne fint kor gor_det",
        weak="tak mange tusind",
        refund="refusion",
        return_="retur",
        vetoes="nej ikke men kun hvis",
    ),
    Vocabulary(
        "fi",
        strong="kylla joo juu selva okei kay sopii tehkaa mielellaan",
        weak="kiitos paljon",
        refund="hyvitys",
        return_="palautus",
        vetoes="ei mutta vain jos",
    ),
    Vocabulary(
        "ro",
        strong="da sigur bine desigur de_acord continuati faceti",
        weak="multumesc mersi va_rog",
        refund="rambursarea rambursare",
        return_="returul",
        vetoes="nu dar doar daca",
    ),
    Vocabulary(
        "cs",
        strong="ano jasne dobre souhlasim suhlasim pokracujte",
        weak="dekuji dakujem diky prosim",
        vetoes="ne ale jen pokud",
    ),
    Vocabulary(
        "hu",
        strong="igen rendben persze mehet oke termeszetesen",
        weak="koszonom kerem szepen",
        vetoes="nem de csak ha",
    ),
    Vocabulary(
        "ht",
        strong="wi dako wi_ale ou_met_ale met_ale fe_li fe_l kontinye pa_gen_pwoblem anfom",
        weak="mesi anpil tanpri souple che cheri zanmi msye madanm an la a",
        refund="ranbousman ranbouse",
        return_="retou",
        vetoes="non pa men selman si poko annik",
    ),
    Vocabulary(
        "af",
        strong="ja jip gaan_voort gaan_aan doen_dit doen_maar seker in_orde stem_saam",
        weak="dankie baie asseblief boet bru broer meneer mevrou tannie oom vriend",
        refund="terugbetaling",
        vetoes="nee nie maar net as indien slegs wag later",
    ),
    Vocabulary(
        "hr",
        strong="da slobodno naravno vazi u_redu uredu dogovoreno prihvacam samo_naprijed "
        "samo_napred izvolite",
        weak="hvala puno lijepo lepo molim vas te gospodine gospodjo prijatelju brate",
        refund="povrat_novca",
        vetoes="ne nemojte nemoj ali samo ako tek cekaj nije jos",
    ),
    Vocabulary(
        "ca",
        strong="si endavant d_acord perfecte confirmo accepto som_hi fes_ho procediu",
        weak="gracies moltes si_us_plau sisplau amic amiga senyor senyora",
        refund="reemborsament",
        return_="devolucio",
        vetoes="no pero nomes quan espera",
    ),
    Vocabulary(
        "ta",
        strong="aama amam aamaa seri pannunga pannungo seyyunga",
        weak="nandri romba anna akka thambi",
        vetoes="illa illai venam vendam vendaam aana mattum",
    ),
)
