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
