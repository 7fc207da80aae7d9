# Русские тексты бота. Ключи по смыслу; значения — HTML для Telegram.

language-name = 🇷🇺 Русский
language-choose = Выберите язык:

welcome =
    👋 Здравствуйте, <b>{ $name }</b>!

    Здесь можно купить быстрый и приватный VPN. Выберите тариф, оплатите удобным способом и получите ссылку для подключения за несколько секунд.
menu-title = <b>{ $name }</b>, что хотите сделать?

btn-subscription = 🔐 Моя подписка
btn-profile = 👤 Профиль и баланс
btn-referrals = 🎁 Пригласить друзей
btn-language = 🌐 Язык
btn-support = 💬 Поддержка
btn-server-status = 📶 Статус серверов
btn-terms = 📄 Условия использования
btn-back = ⬅️ Назад
btn-connect = 🚀 Подключиться
btn-mini-app = 📱 Открыть страницу подписки
btn-share = 📤 Поделиться ссылкой
btn-join-channel = 📢 Подписаться на канал
btn-check-again = ✅ Я подписался, проверить

days-count = { $count ->
    [one] { $count } день
    [few] { $count } дня
   *[many] { $count } дней
}

profile =
    👤 <b>{ $name }</b>
    ID: <code>{ $id }</code>
    Регистрация: { $date }
    Язык: { $lang }

    💰 Баланс: <b>{ $amount }</b>
    🔐 { $status }

sub-active-until = Подписка активна до <b>{ $date }</b> (осталось { $days })
sub-expired-on = Подписка закончилась { $date }
sub-none = У вас пока нет активной подписки.
sub-link = Ваша ссылка подписки:
    <code>{ $link }</code>

referrals =
    🎁 <b>Пригласите друзей</b>

    Ваша ссылка:
    <code>{ $link }</code>

    Приглашено друзей: <b>{ $count }</b>
referral-bonus-title = Бонусы, когда друг оплатит подписку:
referral-bonus-line = • { $months } мес.: вам { $inviter }, другу { $friend }
referral-share-text = VPN, который просто работает — попробуй:

channel-required = Чтобы пользоваться ботом, подпишитесь на наш канал, затем нажмите «проверить».
channel-still-missing = Вы ещё не подписаны на канал. Подпишитесь и нажмите кнопку снова.

banned = Доступ к боту ограничен.
rate-limited = Слишком много запросов. Подождите несколько секунд.

payment-unknown-order = Этот заказ не найден или устарел. Создайте новый в боте.

log-new-user = 🆕 Новый пользователь: { $name } ({ $username }), id <code>{ $id }</code>
log-new-user-referrer = пригласил <code>{ $referrer }</code>
log-new-user-campaign = кампания: { $campaign }

btn-buy = 🛒 Купить подписку
btn-renew = 🔄 Продлить подписку
btn-topup = 💳 Пополнить баланс
btn-history = 🧾 История платежей
btn-pay = 💳 Оплатить
btn-more = ⏬ Ранее
btn-topup-custom = ✏️ Другая сумма

plans-title = 🛒 <b>Выберите тариф</b>
plan-price-line = { $months ->
    [one] { $months } месяц
    [few] { $months } месяца
   *[many] { $months } месяцев
} — { $price }
checkout-title = { $plan }

    Как хотите оплатить?
method-yookassa = 💳 Карта / СБП
method-cryptopay = 🪙 Криптовалюта (CryptoBot)
method-stars = ⭐ Telegram Stars
method-freekassa = 💳 FreeKassa
method-platega = 💳 Platega
method-severpay = 💳 SeverPay
method-tribute = 💎 Tribute
method-balance = 👛 С баланса ({ $amount })
method-balance-name = 👛 С баланса
method-unavailable = Этот способ оплаты недоступен для этой покупки.

topup-title = 💰 Баланс: <b>{ $amount }</b>

    На какую сумму пополнить?
topup-checkout = Пополнение на <b>{ $amount }</b>. Как хотите оплатить?
topup-ask-amount = Отправьте сумму в рублях, от { $min } до { $max }.
topup-amount-invalid = Такую сумму принять нельзя. Отправьте целое число рублей от { $min } до { $max }.
pay-link = Заказ «{ $what }» на <b>{ $amount }</b> создан. Нажмите «Оплатить», чтобы перейти к оплате; бот напишет, как только платёж поступит.
pay-link-expires = ⏳ Счёт можно оплатить до { $time }; после этого создайте новый заказ.
payment-start-failed = Платёжный сервис не ответил. Попробуйте ещё раз через минуту.
pay-discount-applied = 🎟 Ваша скидка { $percent }% закреплена за этим платежом на { $minutes ->
    [one] { $minutes } минуту
    [few] { $minutes } минуты
   *[many] { $minutes } минут
}. Если оплатить позже, деньги поступят на баланс.
pay-discount-moved = 🎟 Ваша скидка { $percent }% теперь закреплена за этим платежом на { $minutes ->
    [one] { $minutes } минуту
    [few] { $minutes } минуты
   *[many] { $minutes } минут
}; у прежнего неоплаченного платежа её больше нет.
payment-discount-gone = Этот счёт выставлен со скидкой по промокоду, которая за ним больше не закреплена (использована, перенесена на новый платёж или время истекло). Выберите тариф заново.
payment-succeeded-discount-lost = ✅ Платёж на { $amount } получен, но скидка по промокоду, с которой он был выставлен, уже использована или время её брони истекло, поэтому { $amount } зачислено на баланс вместо тарифа. Баланс: <b>{ $balance }</b>. На эти деньги можно купить тариф по текущей цене.
balance-too-low = На балансе недостаточно средств для этой покупки.

invoice-title = VPN на { $months ->
    [one] { $months } месяц
    [few] { $months } месяца
   *[many] { $months } месяцев
}
invoice-description = Доступ к VPN; ссылка для подключения придёт сразу после оплаты.
payment-already-paid = Этот заказ уже оплачен.
payment-mismatch = Счёт не совпадает с заказом. Создайте новый заказ в боте.

payment-succeeded-plan = ✅ Оплата получена! Подписка на { $months ->
    [one] { $months } месяц
    [few] { $months } месяца
   *[many] { $months } месяцев
} активна до <b>{ $date }</b>.
payment-succeeded-topup = ✅ Баланс пополнен на { $amount }. Баланс: <b>{ $balance }</b>.
referral-bonus-granted = 🎁 Ваш друг оплатил подписку: вам { $days ->
    [one] { $days } бонусный день
    [few] { $days } бонусных дня
   *[many] { $days } бонусных дней
}!

history-title = 🧾 <b>История платежей</b>
history-empty = Платежей пока нет.
history-purchase = { $date } — подписка, { $days } дн., { $amount } ({ $method })
history-topup = { $date } — пополнение баланса { $amount } ({ $method })
history-referral = { $date } — реферальный бонус, { $days } дн.
history-refund = { $date } — возврат { $amount }
history-balance-in = { $date } — баланс +{ $amount }
history-balance-out = { $date } — баланс −{ $amount }
history-other = { $date } — прочее

log-what-plan = подписка на { $months ->
    [one] { $months } месяц
    [few] { $months } месяца
   *[many] { $months } месяцев
}
log-what-topup = пополнение баланса
log-payment = 💰 Оплата: { $name } (<code>{ $id }</code>), { $what }, { $amount } через { $method }
    заказ <code>{ $order }</code>
log-suspicious = ⚠️ Подозрительное уведомление { $provider }: { $what }
log-refund = ↩️ Возврат записан для заказа <code>{ $order }</code>

refund-usage = Использование: /refund ID_ЗАКАЗА
refund-not-found = Заказ не найден.
refund-not-refundable = Здесь можно вернуть только оплаченные заказы в Telegram Stars.
refund-failed = Telegram отклонил возврат: { $error }
refund-user-notice = ↩️ Платёж { $amount } ({ $what }) возвращён. То, что он дал, снято.
refund-inviter-notice-days = ↩️ Друг, которого вы пригласили, вернул свой платёж, поэтому { $days ->
    [one] { $days } бонусный день за него снят
    [few] { $days } бонусных дня за него сняты
   *[many] { $days } бонусных дней за него сняты
}. Подписка до { $date }.
refund-inviter-notice-money = ↩️ Друг, которого вы пригласили, вернул свой платёж, поэтому бонус { $amount } за него снят с баланса.
refund-done = ↩️ Заказ <code>{ $order }</code> возвращён и записан.
payment-canceled = ❌ Платёж отменён. Можно попробовать снова из меню.
tribute-cancelled = Ваша подписка в Tribute отменена. Доступ сохранится до конца оплаченного периода.
log-tribute-cancelled = 💎 Подписка Tribute «{ $name }» отменена пользователем <code>{ $id }</code>
log-refund-provider = ↩️ Возврат у провайдера по заказу <code>{ $order }</code>: { $what }

btn-trial = 🎁 Пробный период
btn-devices = 📱 Мои устройства
btn-device-remove = ❌ Удалить { $name }
btn-device-remove-yes = ✅ Да, удалить
btn-cancel = ✖️ Отмена

size-mb = { $amount } МБ
size-gb = { $amount } ГБ

traffic-used = 📊 Трафик: <b>{ $used }</b> из { $limit }
traffic-unlimited = 📊 Трафик: <b>{ $used }</b> (без ограничений)
sub-link-pending = ⏳ Доступ настраивается: ссылка придёт сюда через несколько секунд.
sub-ready =
    ✅ <b>Ваш VPN готов!</b>

    Ссылка подписки (действует до { $date }):
    <code>{ $link }</code>

    Нажмите «Подключиться», чтобы добавить её в VPN-приложение.
panel-unavailable = ⚠️ VPN-сервер сейчас не отвечает. Попробуйте через несколько минут.

devices-none = 📱 Подключённых устройств пока нет.
devices-title = 📱 <b>Ваши устройства</b> ({ $count }):
device-remove-confirm = Удалить <b>{ $name }</b>? Чтобы снова пользоваться VPN, устройству нужно будет подключиться заново.
device-removed = ✅ { $name } удалено.
device-gone = Этого устройства уже нет в списке.
device-unknown = Неизвестное устройство

trial-started =
    🎁 <b>Пробный период начался</b> на { $count ->
        [one] { $count } день
        [few] { $count } дня
       *[many] { $count } дней
    }.

    Ссылка для подключения придёт через несколько секунд.
trial-unavailable = Пробный период доступен один раз и только новым пользователям без подписки.
log-trial = 🎁 Пробный период: { $name }, id <code>{ $id }</code>, { $count } дн.

notice-expires-soon = ⏰ Ваша подписка закончится через { $count ->
    [one] { $count } день
    [few] { $count } дня
   *[many] { $count } дней
}, { $date }. Продлите её сейчас, чтобы остаться на связи.
notice-expired = ⛔ Ваша подписка закончилась сегодня, VPN отключён. Продлите её, чтобы снова подключиться.
notice-expired-ago = ⛔ Ваша подписка закончилась вчера. Продлите её, чтобы снова подключиться — это займёт минуту.
notice-trial-ended = 🎁 Бесплатный пробный период закончился. Понравилось? Выберите тариф, чтобы VPN оставался включённым.
panel-limited = 📊 Трафик по подписке израсходован. Он вернётся после сброса или при продлении.
panel-disabled = ⛔ Доступ к VPN приостановлен. Если это неожиданно, напишите в поддержку.
panel-enabled = ✅ Доступ к VPN снова включён.
panel-device-added = 📱 К вашему VPN подключилось новое устройство: { $device }. Если это были не вы, удалите его в «Моих устройствах».

log-panel-sync-failed = 🚨 Синхронизация с панелью для пользователя <code>{ $user }</code> не удалась { $count ->
        [one] { $count } раз
        [few] { $count } раза
       *[many] { $count } раз
    }, сообщение уходит в очередь недоставленных: { $reason }
log-renewal-failed = 🚨 Автопродление пользователя <code>{ $user }</code> (подписка до { $date }) не удалось { $count ->
        [one] { $count } раз
        [few] { $count } раза
       *[many] { $count } раз
    }, задача уходит в очередь недоставленных; об отказе пользователю не сообщено (платёж, который ЮKassa всё же провела, будет зачислен по её уведомлению): { $reason }

sync-started = 🔄 Синхронизация с панелью запущена. Когда она закончится, придёт отчёт; ход — в /syncstatus.
sync-already-running = Синхронизация с панелью уже идёт.
sync-no-panel = Панель не настроена (PANEL_API_URL).
sync-not-started = ⚠️ Синхронизация с панелью не запустилась: { $reason }
sync-never = Синхронизация с панелью ещё не запускалась. Запустите её командой /sync.
sync-finished = ✅ <b>Синхронизация с панелью завершена</b> { $date } (за { $seconds } с)
sync-running = 🔄 <b>Синхронизация с панелью идёт</b> с { $date }, обработано страниц: { $count }
sync-counts =
    Пользователей в панели: { $total }, просмотрено: { $seen }
    Связаны с нашими пользователями по Telegram id: { $matched }
    Связано впервые: { $linked }
    Более поздняя дата окончания взята из панели: { $pulled }
    Поставлено в очередь на обновление в панели: { $pushed }
    Пропущено (пользователь связан с другой учётной записью панели): { $conflicts }
sync-failed = 🚨 Синхронизация с панелью остановилась на странице с { $start }: { $reason }
log-unverified-origin = ⚠️ Проверка вебхука выключена (WEBHOOK_VALIDATION_ENABLED=false): обновления может прислать кто угодно, поэтому деньги и команды администратора из них не выполняются. Первое отклонённое: { $what }. Включите проверку.
refund-not-recorded = ⚠️ Звёзды по заказу <code>{ $order }</code> возвращены покупателю, но здесь ничего не записано (заказ не был оплачен или уже возвращён). Проверьте заказ.
refund-refused = ЮKassa отклонила возврат: { $error }
refund-pending = ⏳ ЮKassa приняла возврат по заказу <code>{ $order }</code>; он будет записан, когда ЮKassa его подтвердит.
refund-money-not-recorded = ⚠️ Деньги по заказу <code>{ $order }</code> возвращены покупателю, но здесь ничего не записано (заказ не был оплачен или уже возвращён). Проверьте заказ.
log-alarm-firing = 🔴 Тревога: <b>{ $name }</b>
    { $description }
    { $reason }
log-alarm-recovered = 🟢 Снова в норме: <b>{ $name }</b>
    { $reason }
log-alarm-no-data = ⚪ Нет данных для тревоги <b>{ $name }</b>
    { $reason }

btn-promo = 🎟 Промокод
btn-promo-again = 🎟 Ввести другой
btn-next-page = Дальше ▶️
promo-ask = 🎟 Отправьте промокод сообщением.
promo-unknown = Такого промокода нет. Проверьте написание.
promo-expired = Срок действия этого промокода истёк.
promo-inactive = Этот промокод отключён.
promo-exhausted = Этот промокод уже использован максимальное число раз.
promo-already-used = Вы уже активировали этот промокод.
promo-too-many = Слишком много неверных попыток. Попробуйте через час.
promo-malformed = Промокод — это от 3 до 32 букв (любого алфавита), цифр, «-» или «_», без пробелов.
promo-unavailable = Промокоды сейчас не принимаются. Попробуйте позже.
promo-refused = Этот текст не похож на промокод.
promo-activated-days = ✅ Промокод <b>{ $code }</b> активирован: +{ $days ->
    [one] { $days } день
    [few] { $days } дня
   *[many] { $days } дней
}. Подписка активна до <b>{ $date }</b>.
promo-activated-discount = ✅ Промокод <b>{ $code }</b> активирован: скидка { $percent }% на следующую покупку подписки до <b>{ $date }</b>.
promo-activated-balance = ✅ Промокод <b>{ $code }</b> активирован: на баланс зачислено { $amount }.
promo-kind-days = { $days ->
    [one] { $days } день
    [few] { $days } дня
   *[many] { $days } дней
}
promo-kind-discount = скидка { $percent }%
plans-discount = 🎟 Ваша скидка { $percent }% уже учтена в ценах (до { $date }, на одну покупку).
history-referral-money = { $date } — реферальный бонус { $amount }
history-promo-days = { $date } — промокод, { $days } дн.
history-promo-balance = { $date } — промокод, { $amount }
referral-paying = Из них оплатили: <b>{ $count }</b>
referral-earned-days = Заработано дней: <b>{ $days }</b>
referral-earned-money = Заработано на баланс: <b>{ $amount }</b>
referral-bonus-money-granted = 🎁 Ваш друг оплатил подписку: на ваш баланс зачислено { $amount }!
log-promo-activated = 🎟 Промокод <b>{ $code }</b> ({ $what }) активировал { $name } (<code>{ $id }</code>)
log-promo-suspicious = ⚠️ Подозрительный ввод промокода от <code>{ $id }</code> ({ $len } симв.): <code>{ $input }</code>

adm-growth-usage =
    Промокоды:
    /promo_new КОД|* days|discount|balance ЗНАЧЕНИЕ [ЛИМИТ|*] [ГГГГ-ММ-ДД|*]
    /promo_bulk КОЛИЧЕСТВО days|discount|balance ЗНАЧЕНИЕ [ЛИМИТ|*] [ГГГГ-ММ-ДД|*]
    /promos — список, /promo КОД — код и активации
    /promo_on КОД, /promo_off КОД, /promo_limit КОД N|*, /promo_until КОД ГГГГ-ММ-ДД|*
    /promo_del КОД, /promo_csv — все коды в CSV
    Кампании:
    /campaign_new ПАРАМЕТР СТОИМОСТЬ [НАЗВАНИЕ]
    /campaigns, /campaign ПАРАМЕТР, /campaign_on ПАРАМЕТР, /campaign_off ПАРАМЕТР, /campaign_del ПАРАМЕТР
adm-promo-new-usage = Формат: /promo_new КОД|* days|discount|balance ЗНАЧЕНИЕ [ЛИМИТ|*] [ГГГГ-ММ-ДД|*]
    Например: /promo_new SPRING days 7 100 2026-12-31 или /promo_new * discount 20
adm-promo-bulk-usage = Формат: /promo_bulk КОЛИЧЕСТВО (до 1000) days|discount|balance ЗНАЧЕНИЕ [ЛИМИТ|*] [ГГГГ-ММ-ДД|*]
adm-promo-bulk-done = Создано кодов: { $count } ({ $what }).
adm-promo-export = Все промокоды: { $count }.
adm-csv-failed = Не удалось отправить CSV. Попробуйте /promo_csv.
adm-promo-exists = Такой промокод уже есть.
adm-promo-not-found = Промокод не найден.
adm-promo-deleted = Промокод { $code } удалён.
adm-promo-list-title = 🎟 <b>Промокоды</b>
adm-promo-list-empty = Промокодов нет.
adm-promo-list-line = • <code>{ $code }</code> — { $what }, { $used }/{ $limit }, { $state }
adm-unlimited = ∞
adm-forever = бессрочно
adm-promo-state-on = активен
adm-promo-state-off = отключён
adm-promo-state-expired = истёк
adm-promo-state-used-up = исчерпан
adm-promo-view =
    🎟 <b>{ $code }</b>: { $what }
    Активаций: { $used } из { $limit }
    Действует до: { $until }
    Состояние: { $state }
    Создан: { $created }
adm-promo-activations = Последние активации:
adm-campaign-new-usage = Формат: /campaign_new ПАРАМЕТР СТОИМОСТЬ_В_РУБЛЯХ [НАЗВАНИЕ]; параметр — латиница, цифры, «-», «_», до 64 символов, не ref_ и не promo_.
adm-campaign-exists = Кампания с этим параметром уже зарегистрирована.
adm-campaign-not-found = Кампания не найдена.
adm-campaign-on = Кампания { $param } включена.
adm-campaign-off = Кампания { $param } выключена: новые переходы не учитываются.
adm-campaign-deleted = Кампания { $param } удалена вместе со счётчиками.
adm-campaign-unregistered = не зарегистрирована
adm-campaign-list-title = 📣 <b>Кампании</b>
adm-campaign-list-empty = Переходов по рекламным ссылкам пока не было.
adm-campaign-list-line = • <code>{ $param }</code> ({ $name }): пользователей { $users }, оплатили { $payers }, выручка { $revenue }
adm-campaign-list-more = Дальше: /campaigns { $after }
adm-campaign-view =
    📣 <b>{ $name }</b> (<code>{ $param }</code>), { $state }
    Переходов: { $starts }
    Новых пользователей: { $users }
    Пробных периодов: { $trials }
    Первых оплат: { $payers }
    Выручка: { $revenue } и { $stars } ⭐
    Стоимость: { $cost }
    Выручка минус стоимость: { $profit }

## The admin side
admin-menu = 🛠 <b>Админка</b>
    /stats — цифры, /chart — график за 30 дней
    /user &lt;id | @username | код&gt; — карточка пользователя
    /ban, /unban &lt;пользователь&gt; · /banned · /logs
admin-btn-stats = 📊 Статистика
admin-btn-chart = 📈 График
admin-btn-find = 🔎 Найти пользователя
admin-btn-banned = 🚫 Забаненные
admin-btn-logs = 📜 Журнал действий
admin-btn-back = « Админка
admin-btn-refresh = 🔄 Обновить
admin-btn-more = Раньше »
admin-btn-card = 👤 Карточка
admin-btn-ban = 🚫 Забанить
admin-btn-unban = ✅ Разбанить
admin-btn-balance = 💰 Баланс
admin-btn-message = ✉️ Написать
admin-btn-reset-trial = 🎁 Сбросить пробный
admin-btn-delete = 🗑 Удалить
admin-btn-delete-yes = 🗑 Да, удалить
admin-delete-confirm = Удалить пользователя <code>{ $id }</code> из бота и панели? Профиль, сохранённые карты и аккаунт в панели будут удалены; заказы, журнал операций и журнал действий останутся. Это нельзя отменить.
admin-delete-done = 🗑 Пользователь <code>{ $id }</code> удалён; его аккаунт в панели будет удалён следом.
admin-delete-gone = Пользователь <code>{ $id }</code> уже удалён.
admin-btn-user-logs = 📜 Действия
admin-yes = да
admin-no = нет
admin-find-ask = Пришлите Telegram id, @username или реферальный код.
admin-user-not-found = Пользователь не найден.
admin-already = Ничего не изменилось: так уже было.
admin-card-outdated = Ничего не изменилось: карточка устарела (подписка успела измениться или кнопку нажали дважды). Вот актуальная карточка.
admin-trial-not-used = Ничего не изменилось: пробный период не использован.
admin-balance-refused = Ничего не изменилось: баланс ушёл бы в минус, или эта корректировка уже сделана.
admin-balance-ask = Пришлите корректировку для <code>{ $id }</code> в виде «сумма причина», например <code>+150 компенсация</code> или <code>-99.50 чарджбэк</code>.
admin-balance-invalid = Нужно «сумма причина», например <code>+150 компенсация</code>. Попробуйте ещё раз.
admin-message-ask = Пришлите сообщение для <code>{ $id }</code> (текст или любое медиа); оно будет скопировано как есть.
admin-message-sent = ✉️ Сообщение доставлено.
admin-message-failed = ⚠️ Не доставлено: { $reason }
admin-card = 👤 <b>{ $name }</b>, id <code>{ $id }</code>
    Регистрация: { $registered }
    Подписка: { $sub }; панель: { $panel }
    Баланс: { $balance }
    Пробный взят: { $trial }
    Реферальный код: <code>{ $code }</code>; пригласил: { $referrals }; пригласивший: { $referrer }
    Кампания: { $campaign }
    Забанен: { $banned }; заблокировал бота: { $blocked }
admin-card-sub-until = до { $date }
admin-card-sub-ended = закончилась { $date }
admin-banned-title = 🚫 <b>Забаненные</b>
admin-banned-none = нет
admin-logs-title = 📜 <b>Журнал действий</b>
admin-logs-user-title = 📜 <b>Действия админов над</b> <code>{ $id }</code>
admin-logs-empty = пусто
admin-stats = 📊 <b>Статистика</b> (сегодня / 7 дн. / 30 дн. / всё время)
    Регистрации: { $users }
    Забанено сейчас: { $banned }
    Заблокировали бота сейчас: { $blocked }
    С активной подпиской сейчас: { $active } (на пробном периоде: { $on_trial })
    Пробных начато: { $trials }
    Покупок тарифов: { $plans }
    Первых покупок: { $first }
    Возвратов: { $refunds }
    Воронка, 30 дн.: { $f_start ->
        [one] { $f_start } старт
        [few] { $f_start } старта
       *[many] { $f_start } стартов
    } → { $f_trial ->
        [one] { $f_trial } пробный
        [few] { $f_trial } пробных
       *[many] { $f_trial } пробных
    } → { $f_first ->
        [one] { $f_first } первая оплата
        [few] { $f_first } первые оплаты
       *[many] { $f_first } первых оплат
    } → { $f_renew ->
        [one] { $f_renew } продление
        [few] { $f_renew } продления
       *[many] { $f_renew } продлений
    }
    <b>Выручка</b>
admin-stats-panel = 🖥 <b>Панель</b>: { $users ->
        [one] { $users } пользователь
        [few] { $users } пользователя
       *[many] { $users } пользователей
    }, { $online } онлайн сейчас, { $nodes ->
        [one] { $nodes } нода онлайн
        [few] { $nodes } ноды онлайн
       *[many] { $nodes } нод онлайн
    }; память { $used } / { $total } ГБ; работает { $days } дн.
admin-stats-panel-unavailable = 🖥 <b>Панель</b>: недоступна
admin-span-today = сегодня
admin-span-week = 7 дней
admin-span-month = 30 дней
admin-span-all = всё время
admin-chart-signups = Регистрации по дням
admin-chart-revenue = Выручка по дням, ₽
admin-chart-caption = 📈 30 дней: регистрации и выручка (всего { $revenue } и ★ { $stars })
admin-chart-stars = Звёзды по дням, ★
admin-chart-period = за 30 дней
admin-chart-failed = ⚠️ График не удалось нарисовать или отправить; см. логи.
log-admin-action = 🛠 Админ <code>{ $admin }</code>: { $what }
inline-referral-title = 🔗 Моя ссылка-приглашение
inline-referral-text = Присоединяйтесь по моей ссылке: { $link }
inline-users-title = 👥 Пользователи
inline-users-text = 👥 Пользователей: { $total } всего, { $today } сегодня; { $trials ->
        [one] { $trials } пробный
        [few] { $trials } пробных
       *[many] { $trials } пробных
    } за 30 дней
inline-money-title = 💰 Выручка
inline-system-title = 🖥 Система
inline-system-text = 🖥 Бот работает; панель: { $panel }
inline-system-panel-set = подключена
inline-system-panel-unset = не настроена
admin-btn-broadcast = 📣 Рассылка
broadcast-ask = Пришлите сообщение для рассылки: текст или любое медиа с подписью. Оно будет скопировано каждому получателю как есть.
broadcast-pick-audience = 📣 Черновик сохранён. Кому отправить?
broadcast-audience-all = Всем
broadcast-audience-active = С активной подпиской
broadcast-audience-expired = С истёкшей подпиской
broadcast-audience-never_paid = Ни разу не платили
broadcast-audience-trial = На пробном периоде
broadcast-count = не более { $count ->
        [one] { $count } получателя
       *[other] { $count } получателей
    } (забаненные и заблокировавшие бота пропускаются при отправке)
broadcast-confirm = 📣 Аудитория: { $audience }; { $count }. Отправить?
broadcast-btn-buttons = 🔗 Кнопки-ссылки
broadcast-buttons-ask = Пришлите кнопки, по одной в строке: <code>текст - https://ссылка</code> (до 8; ссылки http, https или tg).
broadcast-buttons-invalid = ⚠️ Не кнопка: <code>{ $line }</code>. Пришлите список ещё раз, по строке <code>текст - https://ссылка</code>.
broadcast-buttons-set = 🔗 Кнопок: { $count }.
broadcast-btn-send = ✅ Отправить
broadcast-btn-cancel = ⛔ Отменить рассылку
broadcast-not-draft = Эта рассылка уже запущена или отменена.
broadcast-progress = 📣 Отправка… отправлено { $sent }, ошибок { $failed }, заблокировали { $blocked }, осталось { $left } (в очереди { $queued })
broadcast-done = ✅ Рассылка завершена: отправлено { $sent }, ошибок { $failed }, заблокировали { $blocked }, осталось { $left }
broadcast-cancelled = ⛔ Рассылка отменена: отправлено { $sent }, ошибок { $failed }, заблокировали { $blocked }, не отправлено { $skipped }
admin-btn-csv = ⬇️ CSV

# Автопродление сохранённой картой
btn-cards = 💳 Мои карты
cards-none = 💳 Сохранённых карт нет. Карта сохраняется, когда вы оплачиваете ею тариф.
cards-title = 💳 <b>Ваши сохранённые карты</b>
cards-line = • { $card }
cards-line-default = • { $card } — списывается при автопродлении
btn-card-default = ⭐ Списывать с *{ $card }
btn-card-delete = 🗑 Удалить *{ $card }
cards-autorenew-on = 🔄 Автопродление <b>включено</b>: подписка продлевается с вашей карты за час до окончания.
cards-autorenew-off = ⏸ Автопродление <b>выключено</b>.
btn-autorenew-on = 🔄 Включить автопродление
btn-autorenew-off = ⏸ Отключить автопродление
btn-save-card-off = ☐ Сохранить карту для автопродления
btn-save-card-on = ☑ Сохранить карту для автопродления
card-gone = Эта карта больше не сохранена.
card-deleted = 🗑 Карта { $card } удалена.
autorenew-turned-on = 🔄 Автопродление включено.
autorenew-turned-off = ⏸ Автопродление выключено. Мы напомним, когда подписка будет заканчиваться.
renew-all-turned-off = ⏸ Автопродление выключено: ничего не будет списываться автоматически — ни с баланса, ни с карты. Мы напомним, когда подписка будет заканчиваться.
renew-notice = 💳 Завтра, { $date }, подписка продлится автоматически: с вашей карты { $card } спишется { $amount }.
renew-description = Продление VPN на { $months ->
    [one] { $months } месяц
    [few] { $months } месяца
   *[many] { $months } месяцев
}
renew-notice-balance = 💰 Завтра, { $date }, подписка продлится автоматически: с вашего баланса спишется { $amount }.
renew-notice-both = 💰 Завтра, { $date }, за час до окончания подписка продлится автоматически: с вашего баланса спишется { $amount }, а если на балансе не хватит денег, с вашей карты { $card } спишется { $card_amount }.
btn-autorenewal = 🔄 Автопродление
balance-renew-on = 💰 Продление с баланса <b>включено</b>: за час до окончания подписка продлевается на { $months ->
    [one] { $months } месяц
    [few] { $months } месяца
   *[many] { $months } месяцев
} за { $amount } с вашего баланса, если его хватает (иначе с сохранённой карты, если включено автопродление картой).
balance-renew-off = 💰 Продление с баланса <b>выключено</b>. Включите, чтобы за час до окончания подписка продлевалась на { $months ->
    [one] { $months } месяц
    [few] { $months } месяца
   *[many] { $months } месяцев
} за { $amount } с вашего баланса.
btn-balance-renew-on = 💰 Продлевать с баланса
btn-balance-renew-off = ⏸ Не продлевать с баланса
balance-renew-turned-on = 💰 Продление с баланса включено. Мы предупредим за день до списания.
balance-renew-turned-off = ⏸ Продление с баланса выключено.
renew-declined-retry = ⚠️ Не удалось списать оплату с карты для продления подписки. Мы попробуем ещё раз завтра; можно продлить и сейчас.
renew-declined-final = ⚠️ Карта снова отклонена, подписка не продлена. Продлите её другим способом оплаты, чтобы VPN оставался включённым.
renew-card-removed = ⚠️ Банк сообщил, что с сохранённой карты больше нельзя списывать (доступ отозван или срок истёк), поэтому мы удалили её; подписка не продлена. Продлите её, чтобы VPN оставался включённым.
renew-plan-gone = ⚠️ Подписка закончится { $date } и не продлится автоматически: тариф на { $months ->
    [one] { $months } месяц
    [few] { $months } месяца
   *[many] { $months } месяцев
}, который она продлевала, больше не продаётся, поэтому ничего не спишется. Выберите другой тариф, чтобы VPN оставался включённым.
btn-pick-plan = 🛒 Выбрать тариф
admin-btn-payments = 💳 Платежи
admin-btn-refund = ↩️ Возврат
admin-payments-title = 💳 <b>Платежи за { $date }</b> ({ $provider }): { $count }
admin-payment = 💳 Заказ <code>{ $order }</code>
    Пользователь: <code>{ $user }</code>
    Провайдер: { $provider }; сумма: { $amount }; статус: { $status }
    Создан: { $date }; id у провайдера: <code>{ $ref }</code>; дней: { $days }

## Products beyond months: extra devices, traffic packs, traffic sale mode
btn-more-devices = 📱 Докупить устройства
btn-more-traffic = 📶 Докупить трафик
btn-buy-traffic = 📶 Купить трафик
packages-title = 📶 <b>Выберите пакет трафика</b>
    Трафик не сгорает по времени: пакет добавляется к тому, что у вас осталось.
sub-active-traffic = Подписка активна: трафик без срока действия
devices-price-line = +{ $count ->
    [one] { $count } устройство
    [few] { $count } устройства
   *[many] { $count } устройств
} — { $price }
pack-price-line = { $amount } — { $price }
devices-buy-title = 📱 <b>Дополнительные устройства</b>
    В подписку входит устройств: { $included }, докуплено: { $extra }.
    Цена считается за оставшиеся { $days ->
        [one] { $days } день
        [few] { $days } дня
       *[many] { $days } дней
    } текущего периода.
devices-renew-on = При продлении подписки докупленные устройства продлеваются вместе с ней, и их цена входит в цену продления.
devices-renew-off = При продлении подписки докупленные устройства не продлеваются: лимит вернётся к включённому в подписку.
devices-formula = { $count } × { $per } × { $days } дн. / 30 дн. = <b>{ $total }</b>
devices-need-subscription = Дополнительные устройства можно купить к действующей платной подписке.
devices-over-limit = Больше устройств добавить нельзя: достигнут максимум.
traffic-need-subscription = Трафик можно докупить к действующей платной подписке.
traffic-nothing-to-add = В вашей подписке трафик не ограничен: докупать нечего.
traffic-buy-title = 📶 <b>Дополнительный трафик</b>
traffic-packs-expire = Пакет добавляется к лимиту текущего периода и действует до его конца (или до сброса трафика панелью).
traffic-packs-carry = Пакет добавляется к лимиту текущего периода; неизрасходованный трафик пакетов переносится на один следующий период.
traffic-packs-added = Из них пакетами: +{ $added }{ $has_carried ->
    [true] , перенесено: +{ $carried }
   *[false] {""}
}
plan-renews-devices = 📱 Вместе с периодом продлеваются докупленные устройства ({ $count }); их цена входит в сумму.
plan-drops-devices = 📱 Докупленные устройства ({ $count }) с новым периодом не продлеваются: лимит вернётся к включённому в подписку.
renew-notice-devices-kept = 📱 Докупленные устройства ({ $count }) продлеваются вместе с подпиской; их цена входит в сумму.
renew-notice-devices-dropped = 📱 Докупленные устройства ({ $count }) при продлении не сохраняются: лимит вернётся к включённому в подписку.
invoice-devices = VPN: +{ $count ->
    [one] { $count } устройство
    [few] { $count } устройства
   *[many] { $count } устройств
}
invoice-traffic = VPN: { $amount } трафика
log-what-devices = +{ $count } устр.
log-what-traffic = { $amount } трафика
payment-succeeded-devices = ✅ Оплата получена! Добавлено устройств: { $count }. Теперь можно подключить до { $total }.
payment-succeeded-traffic = ✅ Оплата получена! Добавлено { $amount } трафика.
history-devices = { $date } — +{ $count } устр., { $amount } ({ $method })
history-traffic = { $date } — { $size } трафика, { $amount } ({ $method })
admin-sales-month = Продажи за 30 дней
admin-sold-plan = подписки
admin-sold-devices = устройства
admin-sold-traffic = трафик

## What the panel tells: connection nudges, thresholds, the torrent blocker, reissue and reset
btn-how-to-connect = 📲 Как подключиться
panel-first-connected = ✅ VPN подключён и работает. Приятного пользования!
panel-not-connected = 👋 Вы ещё не подключили VPN. Это занимает пару минут: откройте подписку, нажмите «Подключиться» и следуйте инструкции для вашего устройства. Если что-то не получается, напишите в поддержку.
panel-threshold = 📊 Израсходовано { $percent }% трафика: { $used } из { $limit }.
panel-torrent-blocked = 🚫 С вашего подключения шёл торрент-трафик, а он запрещён правилами сервиса. Доступ приостановлен до { $until }.
panel-revoked = 🔑 Ваша ссылка подписки изменилась. Старая больше не работает, новая:
    <code>{ $link }</code>
panel-traffic-reset = 🔄 Счётчик трафика сброшен: лимит снова доступен полностью.
panel-deleted = ℹ️ Ваша учётная запись VPN удалена на сервере. Купите подписку, чтобы снова получить доступ.
panel-deleted-recreated = ℹ️ Ваша учётная запись VPN пересоздаётся на сервере: оплаченное время сохранено, новая ссылка придёт следом.
log-torrent-blocked = 🧲 Блокировщик торрентов: пользователь <code>{ $user }</code> (IP { $ip }) заблокирован до { $until }
log-panel-user-deleted = 🗑 На панели удалён пользователь <code>{ $user }</code> (id { $id }); оплаченного времени нет, не пересоздаём
log-panel-user-deleted-recreated = 🗑 На панели удалён пользователь <code>{ $user }</code> (id { $id }); у него есть оплаченное время: пересоздаём при синхронизации
# Кабинет (Telegram Mini App): простой текст, страница показывает его как текст.
btn-cabinet = 📱 Мой кабинет
cab-title = Мой VPN
cab-tab-subscription = Подписка
cab-tab-connect = Подключение
cab-tab-devices = Устройства
cab-tab-pay = Оплата
cab-tab-history = История
cab-tab-referrals = Друзья
cab-traffic = Трафик
cab-devices-used = Подключено устройств
cab-trial-offer = Пробный период
cab-trial-take = Включить пробный период
cab-trial-days = { $count ->
    [one] { $count } день бесплатно, один раз
    [few] { $count } дня бесплатно, один раз
   *[other] { $count } дней бесплатно, один раз
}
cab-link = Ссылка подписки
cab-copy = Скопировать
cab-copied = Скопировано
cab-guide = Как подключиться
cab-download = Скачать
cab-add = Добавить подписку
cab-link-pending = Доступ настраивается: ссылка появится здесь через минуту.
cab-no-subscription = Активной подписки пока нет: выберите тариф в разделе «Оплата».
cab-remove = Удалить
cab-plans = Тарифы
cab-topup = Пополнить баланс
cab-topup-amount = Сумма в рублях
cab-waiting = Ждём оплату…
cab-paid = ✅ Оплачено
cab-promo = Промокод
cab-promo-placeholder = Введите код
cab-apply = Применить
cab-balance = Баланс
cab-more = Показать ещё
cab-share = Поделиться ссылкой
cab-support = Поддержка
cab-error = Что-то пошло не так на нашей стороне. Попробуйте через минуту.
cab-bad-request = Запрос не распознан.
cab-not-found = Не найдено.
cab-in-progress = Ещё выполняем предыдущее нажатие…
cab-auth-failed = Эта страница открывается только из бота в Telegram.
cab-auth-expired = Страница открыта слишком долго: закройте её и откройте снова из бота.
vpn-last-used = 📡 VPN последний раз использовался: { $time }
vpn-connected-before = 📡 VPN уже подключался
vpn-never-connected = 📡 VPN ещё ни разу не подключался
btn-reissue = 🔑 Перевыпустить ссылку
btn-reissue-yes = 🔑 Да, перевыпустить
reissue-confirm = 🔑 Перевыпустить ссылку подписки? Старая ссылка перестанет работать сразу, на всех устройствах нужно будет добавить новую. Делайте это, если ссылка попала в чужие руки.
reissue-too-soon = ⏳ Ссылку недавно перевыпускали. Снова можно будет после { $time }.
reissue-done = ✅ Новая ссылка подписки (старая больше не работает):
    <code>{ $link }</code>
btn-devices-reset = 🧹 Удалить все устройства
btn-devices-reset-yes = 🧹 Да, удалить все
devices-reset-confirm = 🧹 Удалить все устройства ({ $count })? Каждое устройство нужно будет подключить заново.
devices-reset-done = ✅ Все устройства удалены.
admin-card-seen = 📡 VPN использовался: { $time } UTC
admin-card-connected = 📡 VPN подключался
admin-card-never-connected = 📡 VPN ни разу не подключался
admin-card-reissued = 🔑 Ссылку перевыпускал: { $time } UTC
guide-title = 📲 <b>Как подключиться</b>
    Выберите ваше устройство:
guide-platform = 📲 <b>{ $name }</b>: выберите приложение (⭐ — рекомендуем):
guide-copy-link = Если кнопка не открывает приложение, скопируйте ссылку и добавьте её в приложении вручную:
    <code>{ $link }</code>
guide-step-install = Установите приложение
guide-step-install-text = Скачайте { $name } из официального источника и установите.
guide-btn-download = ⬇️ Скачать
guide-step-add = Добавьте подписку
guide-step-add-text = Откройте ссылку подписки в { $name }: кнопка ниже или вручную, скопировав ссылку.
guide-btn-add = ➕ Добавить подписку
guide-step-connect = Подключитесь
guide-step-connect-text = Выберите сервер в приложении и включите VPN.

help-title = ℹ️ <b>Чем помочь?</b> Вот что здесь можно сделать:
help-buy = • { $button } — выбрать тариф и оплатить (/buy)
help-subscription = • { $button } — ссылка для подключения и инструкция по шагам
help-profile = • { $button } — баланс и история платежей (/profile)
help-referrals = • { $button } — ссылка для друзей и ваши бонусы (/referral)
help-promo = • { $button } — ввести промокод
help-language = • { $button } — сменить язык (/language)
help-support = Не получается? Нажмите «{ $button }», мы ответим.
help-footer = Выберите действие кнопкой ниже.
button-outdated = Эта кнопка устарела, вот главное меню.
broadcast-already-over = Эта рассылка уже закончилась, отменять нечего.

## The admin's screens in the admin's language
provider-all = все
provider-yookassa = ЮKassa
provider-cryptopay = Crypto Pay
provider-stars = Звёзды
provider-freekassa = FreeKassa
provider-platega = Platega
provider-severpay = SeverPay
provider-tribute = Tribute
provider-balance = Баланс
order-status-pending = ожидает оплаты
order-status-paid = оплачен
order-status-canceled = отменён
order-status-expired = не оплачен вовремя
order-status-refunded = возвращён
panel-status-active = активен
panel-status-disabled = отключён
panel-status-limited = трафик исчерпан
panel-status-expired = срок истёк
admin-filter-any = все
admin-filter-paid = оплаченные
admin-filter-refunded = возвращённые
admin-range-days = { $count ->
    [one] { $count } день
    [few] { $count } дня
   *[many] { $count } дней
}
admin-btn-days = { $sign }{ $count ->
    [one] { $count } день
    [few] { $count } дня
   *[many] { $count } дней
}
audit-line = { $time } · 🛠 Админ <code>{ $admin }</code>: { $what }
audit-ban = забанил { $user }
audit-unban = снял бан с { $user }
audit-reset-trial = разрешил { $user } снова взять пробный период
audit-delete = удалил пользователя { $user }
audit-message = написал пользователю { $user }
audit-days-added = добавил { $count ->
    [one] { $count } день
    [few] { $count } дня
   *[many] { $count } дней
} пользователю { $user }
audit-days-taken = забрал { $count ->
    [one] { $count } день
    [few] { $count } дня
   *[many] { $count } дней
} у { $user }
audit-balance-added = начислил { $amount } на баланс { $user } ({ $reason })
audit-balance-taken = списал { $amount } с баланса { $user } ({ $reason })
audit-broadcast = запустил рассылку <code>{ $id }</code>
audit-refund = вернул оплату заказа <code>{ $order }</code>
admin-btn-cancel = « Отмена
admin-ban-confirm = Забанить <code>{ $id }</code>? Он потеряет доступ к боту, а VPN будет отключён до разбана. Оплаченные дни сохранятся.
admin-btn-ban-yes = 🚫 Да, забанить
admin-days-confirm = Забрать { $count ->
    [one] { $count } день
    [few] { $count } дня
   *[many] { $count } дней
} у <code>{ $id }</code>? Подписка закончится { $new } вместо { $old }.
admin-btn-days-yes = ➖ Да, забрать
admin-balance-confirm = Списать { $amount } с баланса <code>{ $id }</code> (причина: { $reason })? На балансе останется { $after }.
admin-btn-balance-yes = 💸 Да, списать
admin-refund-confirm = Вернуть { $amount } ({ $provider }) за заказ <code>{ $order }</code> пользователю <code>{ $user }</code>? Деньги уйдут покупателю, а то, что дал заказ ({ $what }), будет снято.
admin-btn-refund-yes = ↩️ Да, вернуть
notice-admin-days-added = 🎁 Администратор добавил вам { $count ->
    [one] { $count } день
    [few] { $count } дня
   *[many] { $count } дней
} подписки. Теперь она действует до <b>{ $date }</b>.
notice-admin-days-taken = ℹ️ Администратор убрал { $count ->
    [one] { $count } день
    [few] { $count } дня
   *[many] { $count } дней
} вашей подписки. Теперь она действует до <b>{ $date }</b>.
notice-admin-balance-added = 💰 Администратор пополнил ваш баланс на { $amount }. Баланс: <b>{ $balance }</b>.
notice-admin-balance-taken = ℹ️ Администратор списал с вашего баланса { $amount }. Баланс: <b>{ $balance }</b>.
payment-referee-bonus = 🎁 Из них { $days ->
    [one] { $days } бонусный день
    [few] { $days } бонусных дня
   *[many] { $days } бонусных дней
} — за то, что вы пришли по приглашению.
sub-trial-offer = Можно начать с бесплатного пробного периода: он включится сразу.
save-card-explained = 💳 Сохранять карту не обязательно. Если отметить «Сохранить карту», подписка будет продлеваться с неё автоматически перед окончанием; отключить это можно в любой момент в разделе «Мои карты». Без отметки оплата разовая.
promo-link-refused = 🎟 Кстати, о промокоде <b>{ $code }</b> из ссылки, по которой вы пришли.
    { $why } Ничего страшного: все возможности бота доступны и без него.
panel-status-disabling = отключается (синхронизация идёт)
panel-status-enabling = включается (синхронизация идёт)
