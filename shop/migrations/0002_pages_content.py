"""The four pages a shop has, in English and Chinese; staff edit them in the admin afterwards.

The text is frozen here: later edits happen on the rows, not in this file.
"""

from django.db import migrations

PAGES = {
    "delivery-returns": {
        "title_en": "Delivery & returns",
        "title_zh_hans": "配送与退货",
        "body_en": """We ship to addresses in mainland China, Hong Kong, Macao and Taiwan, and to a growing list of other countries. Orders paid before 16:00 (Beijing time) leave our warehouse the same working day; later orders leave the next working day.

Delivery usually takes 1–3 days within mainland China and 3–7 days elsewhere. The shipping fee is shown in your cart and at checkout before you pay, and orders above the free-shipping amount ship free. Once your order ships, we email you the carrier and the tracking number, and you can follow the parcel on your order page.

Returns: you may return an unused item in its original packaging within 7 days of delivery, for any reason. Items with a quality problem may be returned within 15 days, and we pay the return postage. Fresh food, opened tea and personal-care items cannot be returned unless faulty.

To return an item, contact customer service with your order number. Refunds go back the way you paid, within 3 working days of the returned item reaching us.""",
        "body_zh_hans": """我们配送至中国大陆、香港、澳门和台湾，以及越来越多的其他国家和地区。北京时间 16:00 前付款的订单当个工作日发货，之后付款的订单次个工作日发货。

中国大陆通常 1–3 天送达，其他地区 3–7 天。运费在付款前的购物车和结算页中显示，订单金额达到包邮标准即免运费。订单发货后，我们会通过邮件告知承运商和运单号，您也可以在订单页面查看物流进度。

退货：商品签收后 7 天内，未使用且包装完好，可无理由退货。商品有质量问题的，15 天内可退货，退货运费由我们承担。生鲜食品、已开封的茶叶和个人护理用品，除质量问题外不支持退货。

如需退货，请提供订单号联系客服。退回的商品到达后 3 个工作日内，款项按原支付方式退回。""",
    },
    "contact": {
        "title_en": "Contact us",
        "title_zh_hans": "联系我们",
        "body_en": """Customer service is open every day from 9:00 to 21:00 (Beijing time).

Email: service@example.com — we answer within one working day.
Phone: 400-000-0000

Please have your order number ready: it starts with SO and is on your order page and in every order email.

Business enquiries and partnerships: business@example.com""",
        "body_zh_hans": """客服服务时间：每天 9:00–21:00（北京时间）。

邮箱：service@example.com，我们会在一个工作日内回复。
电话：400-000-0000

联系时请提供订单号：订单号以 SO 开头，可在订单页面和每封订单邮件中找到。

商务合作：business@example.com""",
    },
    "privacy": {
        "title_en": "Privacy",
        "title_zh_hans": "隐私政策",
        "body_en": """We collect only what we need to run your account and deliver your orders: your email address and password (stored as a hash, never in plain text), the delivery addresses you enter, your orders, points and membership, and the language you use the shop in.

We use this information to process and deliver orders, to send you emails about your orders and your account, and to keep the shop secure. We do not sell your personal information. We share delivery details only with the carrier that delivers your parcel, and payment details only with the payment provider you choose.

We keep order records for as long as the law requires for accounting. You may ask us to see, correct or delete your personal information, or to close your account, by contacting customer service. We handle personal information in accordance with the Personal Information Protection Law of the People's Republic of China.

The shop uses cookies only to keep you signed in, to remember your cart and your language, and to protect forms against forgery.""",
        "body_zh_hans": """我们只收集运营您的账户和配送订单所必需的信息：您的邮箱和密码（仅保存哈希值，绝不保存明文）、您填写的收货地址、您的订单、积分和会员信息，以及您使用的语言。

我们使用这些信息来处理和配送订单、向您发送订单和账户相关邮件，并保障商城安全。我们不会出售您的个人信息。收货信息仅提供给为您配送包裹的承运商，支付信息仅提供给您选择的支付服务商。

订单记录按会计法规要求的期限保存。您可以联系客服查阅、更正或删除您的个人信息，或注销账户。我们依照《中华人民共和国个人信息保护法》处理个人信息。

本商城仅将 Cookie 用于保持登录状态、记住购物车和语言，以及防止表单被伪造。""",
    },
    "terms": {
        "title_en": "Terms",
        "title_zh_hans": "服务条款",
        "body_en": """These terms apply to every order placed in this shop. By placing an order you accept them.

Prices are in Chinese yuan (CNY) and include VAT. The price you pay is the one shown at checkout when you place the order, including any discount, coupon or points you use.

An order is confirmed once it is paid. An order not paid by the time shown on the payment page is cancelled automatically and its items are released. We may cancel an order if an item turns out to be unavailable; any payment is then refunded in full.

Points are earned on paid orders and can be used at checkout within the limits shown there; they expire as stated on your points page and have no cash value. Membership levels follow your spending over the period shown on your membership page.

If something goes wrong with an order, contact customer service: we will put it right. These terms are governed by the laws of the People's Republic of China.""",
        "body_zh_hans": """本条款适用于在本商城下的每一笔订单。下单即表示您接受本条款。

价格以人民币（CNY）计，含增值税。您支付的金额以下单时结算页显示的价格为准，包括您使用的折扣、优惠券或积分。

订单付款后即告确认。在付款页面所示时间前未付款的订单将自动取消，商品库存随之释放。如商品无法供应，我们可能取消订单，已付款项将全额退还。

积分在订单付款后获得，可在结算时按页面所示上限使用；积分按积分页面所述规则过期，不可兑换现金。会员等级依据会员页面所示期间内的消费金额确定。

订单如有问题，请联系客服，我们会妥善处理。本条款受中华人民共和国法律管辖。""",
    },
}


def create_pages(apps, schema_editor):
    Page = apps.get_model("shop", "Page")
    for slug, text in PAGES.items():
        # The untranslated columns hold the English text, as modeltranslation keeps them.
        Page.objects.get_or_create(slug=slug, defaults={
            **text, "title": text["title_en"], "body": text["body_en"]})


def delete_pages(apps, schema_editor):
    apps.get_model("shop", "Page").objects.filter(slug__in=list(PAGES)).delete()


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_pages")]

    operations = [migrations.RunPython(create_pages, delete_pages)]
