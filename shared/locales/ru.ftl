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
method-tribute = 💎 Tribute
method-balance = 👛 С баланса ({ $amount })
method-unavailable = Этот способ оплаты недоступен для этой покупки.

topup-title = 💰 Баланс: <b>{ $amount }</b>

    На какую сумму пополнить?
topup-checkout = Пополнение на <b>{ $amount }</b>. Как хотите оплатить?
topup-ask-amount = Отправьте сумму в рублях, от { $min } до { $max }.
topup-amount-invalid = Такую сумму принять нельзя. Отправьте целое число рублей от { $min } до { $max }.
pay-link = Заказ на <b>{ $amount }</b> создан. Нажмите «Оплатить», чтобы перейти к оплате; бот напишет, как только платёж поступит.
payment-start-failed = Платёжный сервис не ответил. Попробуйте ещё раз через минуту.
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
history-other = { $date } — прочее

log-what-plan = подписка на { $months } мес.
log-what-topup = пополнение баланса
log-payment = 💰 Оплата: { $name } (<code>{ $id }</code>), { $what }, { $amount } через { $method }
    заказ <code>{ $order }</code>
log-suspicious = ⚠️ Подозрительное уведомление { $provider }: { $what }
log-refund = ↩️ Возврат записан для заказа <code>{ $order }</code>

refund-usage = Использование: /refund ID_ЗАКАЗА
refund-not-found = Заказ не найден.
refund-not-refundable = Здесь можно вернуть только оплаченные заказы в Telegram Stars.
refund-failed = Telegram отклонил возврат: { $error }
refund-user-notice = ↩️ Ваш платёж в Telegram Stars возвращён.
refund-done = ↩️ Заказ <code>{ $order }</code> возвращён и записан.
payment-canceled = ❌ Платёж отменён. Можно попробовать снова из меню.
tribute-cancelled = Ваша подписка в Tribute отменена. Доступ сохранится до конца оплаченного периода.
log-tribute-cancelled = 💎 Подписка Tribute «{ $name }» отменена пользователем <code>{ $id }</code>
log-refund-provider = ↩️ Возврат у провайдера по заказу <code>{ $order }</code>: { $what }
