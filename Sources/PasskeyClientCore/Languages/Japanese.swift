extension Auth.Language {
    /// 日本語.
    public static let japanese = Auth.Language(code: "ja", name: "日本語") { phrase in
        switch phrase {
        case .problem(let problem):
            switch problem {
            case .cancelled: "パスキーのリクエストはキャンセルされました。準備ができたらもう一度お試しください。"
            case .noPasskey: "このデバイスにはこのアカウントのパスキーがありません。新規登録するか、パスキーのあるデバイスでサインインしてください。"
            case .passkeyExists: "このデバイスには、このアカウントのパスキーがすでにあります。"
            case .deletedPasskey: "そのパスキーはアカウントから削除されています。別のパスキーを選ぶか、もう一度新規登録してください。"
            case .usernameTaken: "そのユーザー名のアカウントはすでにあります。サインインするか、別のユーザー名を選んでください。"
            case .usernameRequired: "ユーザー名を入力してください。"
            case .emailRequired: "まずメールアドレスを入力してから、「アカウントを作成」を選んでください。"
            case .invalidEmail: "ada@example.com のような有効なメールアドレスを入力してください。"
            case .signInCancelled: "サインインがキャンセルされたか、このデバイスにこのサイトのパスキーがありません。"
            case .invalidUsername: "64 文字以内で、見えない文字を含まないユーザー名を入力してください。"
            case .invalidName: "制御文字や見えない文字を含まない、1〜64 文字の名前にしてください。"
            case .credentialExists: "このパスキーはすでに登録されています。"
            case .ceremonyEnded: "時間がかかりすぎたか、中断されました。もう一度お試しください。"
            case .accountDisabled: "このアカウントは無効になっています。サイトの運営者に有効にするよう依頼してください。"
            case .invalidCode: "このコードは間違っているか、使用済みか、期限切れです。メールを確認するか、新しいコードを請求してください。"
            case .offline: "サーバーに接続できません。接続を確認してもう一度お試しください。"
            case .sessionEnded: "サインアウトされました。もう一度サインインしてください。"
            case .lastPasskey: "これはあなたの唯一のパスキーです。削除するとアカウントにサインインできなくなります。先に別のパスキーを追加してください。"
            case .passkeyNotFound: "そのパスキーはもうアカウントにありません。"
            case .accountChanged: "このブラウザーは別のウィンドウで別のアカウントにサインインしました。ここに表示されているアカウントを確認してから続けてください。"
            case .rateLimited(let seconds?): "試行回数が多すぎます。\(seconds) 秒後にもう一度お試しください。"
            case .rateLimited(nil): "試行回数が多すぎます。1 分後にもう一度お試しください。"
            case .refused(let code, let message): "サーバーが拒否しました: \(message)（\(code)）。"
            case .passkeyFailed(let message): "パスキーを使用できませんでした: \(message)。"
            case .unreadableResponse: "サーバーの応答を理解できませんでした。しばらくしてからもう一度お試しください。"
            case .passkeyFirst: "先にパスキーを作成してください。パスキーがないとサインインできなくなります。"
            case .recoverySession: "先に新しいパスキーを作成してください。それまでこの復旧セッションでは他の操作はできません。"
            case .noPassword: "このアカウントにはもうパスワードがありません。"
            case .emailAlreadyConfirmed: "メールアドレスはすでに確認済みです。"
            case .invalidCredentials: "メールアドレスまたはパスワードが正しくありません。"
            case .passwordRequired: "メールアドレスとパスワードを入力するか、パスキーでサインインしてください。"
            case .recoveryEmailRequired: "アカウントのメールアドレスを入力してください。"
            }
        case .checkingSession: "サインインしているか確認しています…"
        case .contactingServer: "サーバーに接続しています…"
        case .createPasskeyFor(let username): "パスキーを待っています: デバイスの案内に従って「\(username)」のパスキーを作成してください。"
        case .creatingAccount: "アカウントを作成しています…"
        case .choosePasskey: "パスキーを待っています: デバイスの案内に従ってパスキーを選んでください。"
        case .signingIn: "サインインしています…"
        case .loadingPasskeys: "パスキーを読み込んでいます…"
        case .createPasskey: "新しいパスキーを待っています: デバイスの案内に従って作成してください。"
        case .savingPasskey: "新しいパスキーを保存しています…"
        case .renamingPasskey(let name): "パスキーの名前を「\(name)」に変更しています…"
        case .deletingPasskey: "パスキーを削除しています…"
        case .savingName: "名前を保存しています…"
        case .deletingAccount: "アカウントを削除しています…"
        case .signingOut: "サインアウトしています…"
        case .synced: "同期済み"
        case .notBackedUp: "まだバックアップされていません"
        case .thisDeviceOnly: "このデバイスのみ"
        case .added(let day): japaneseDay(day) + "に追加"
        case .lastUsed(let day): "最終使用 " + japaneseDay(day)
        case .securityKey: "セキュリティキー"
        case .genericPasskey: "パスキー"
        case .passkeyCount(let count): "パスキー \(count) 個"
        case .day(let day): japaneseDay(day)
        case .greeting(let name): "こんにちは、\(name) さん"
        case .notice(.added(let name)): "パスキー「\(name)」を追加しました。"
        case .notice(.renamed(let name)): "パスキーの名前を「\(name)」に変更しました。"
        case .notice(.deleted(let name)): "パスキー「\(name)」を削除しました。"
        case .notice(.savedDisplayName): "表示名を保存しました。"
        case .confirmDeletePasskey(let name): "「\(name)」を削除しますか?"
        case .confirmDeleteAccount(let username): "\(username) とそのすべてのパスキーをこのサイトから削除します。元に戻すことはできません。"
        case .label(let label):
            switch label {
            case .signInTitle: "サインイン · パスキー"
            case .signInHeading: "サインイン"
            case .signInLede: "パスキーを使います: 指紋、顔、画面ロック、またはセキュリティキー。パスワードは不要です。"
            case .email: "メールアドレス"
            case .emailHint: "保存したパスキーがここに候補として表示されます。"
            case .password: "パスワード"
            case .passwordNote: "（パスワード付きで移行されたアカウントのみ）"
            case .signInWithPassword: "パスワードでサインイン"
            case .signInWithPasskey: "パスキーでサインイン"
            case .newHere: "はじめての方"
            case .createAccount: "アカウントを作成"
            case .createAccountHint: "上のメールアドレスでアカウントを作成し、このデバイスにパスキーを作成します。"
            case .lostPasskey: "パスキーをなくしましたか?"
            case .recoverHeading: "アカウントを復旧する"
            case .recoveryEmail: "アカウントのメールアドレス"
            case .emailMeACode: "コードをメールで送る"
            case .recoveryCode: "メールに記載された 8 桁のコード"
            case .recoveryContinue: "続ける"
            case .accountTitle: "アカウント · パスキー"
            case .signOut: "サインアウト"
            case .yourAccount: "アカウント"
            case .signedInAs: "サインイン中のアカウント:"
            case .displayName: "表示名"
            case .save: "保存"
            case .displayNameHint: "このサイトのパスキーの横に、お使いのデバイスが表示します。"
            case .passkeys: "パスキー"
            case .addPasskey: "パスキーを追加"
            case .deleteAccountHeading: "アカウントの削除"
            case .deleteAccountText: "このサイトからアカウントとそのすべてのパスキーを削除します。元に戻すことはできません。"
            case .deleteAccountButton: "アカウントを削除…"
            case .newNameFor: "新しい名前:"
            case .cancel: "キャンセル"
            case .created: "作成日"
            case .lastUsed: "最終使用"
            case .rename: "名前を変更"
            case .delete: "削除"
            case .synced: "同期済み"
            case .thisDeviceOnly: "このデバイスのみ"
            case .notBackedUp: "未バックアップ"
            case .never: "なし"
            case .deletePasskeyText: "このパスキーではサインインできなくなり、このパスキーでサインインしたすべてのブラウザはサインアウトされます（ここでこのパスキーを使ってサインインした場合は、このブラウザも）。削除されたことを知るまで、デバイスには表示され続けることがあります。"
            case .deletePasskeyConfirm: "パスキーを削除"
            case .deleteAccountTitle: "アカウントを削除しますか?"
            case .deleteAccountConfirm: "アカウントを削除"
            case .sessionsHeading: "サインインしている場所"
            case .activityHeading: "最近のアクティビティ"
            case .endSession: "サインアウト"
            case .endOtherSessions: "ほかのすべての場所からサインアウト"
            case .moreActivity: "以前のアクティビティを表示"
            case .appsHeading: "アプリ"
            case .appsIntro: "このアカウントでのサインインを許可したアプリです。"
            case .noApps: "まだアプリはありません。"
            case .removeApp: "アクセスを削除"
            case .consentPageTitle: "アクセスの許可 · Passkeys"
            case .allow: "許可"
            case .deny: "拒否"
            case .consentHint: "このアクセスはアカウントページからいつでも削除できます。"
            }
        case .mail(let mail): japaneseMail(mail)
        case .security(let phrase): japaneseSecurity(phrase)
        case .consent(let phrase): japaneseConsent(phrase)
        case .account(let phrase), .notice(.account(let phrase)): japaneseAccount(phrase)
        }
    }

    private static func japaneseAccount(_ phrase: Auth.AccountPhrase) -> String {
        switch phrase {
        case .upgradeHeading: "パスキーを作成"
        case .upgradeText: "次回からより速く安全にサインインできるよう、このアカウントのパスキーを作成しましょう。"
        case .upgradeButton: "パスキーを作成"
        case .recoveryHeading: "新しいパスキーを作成"
        case .recoveryText: "復旧コードでサインインしました。このデバイスで新しいパスキーを作成して完了してください。その後、なくしたパスキーを下から削除できます。"
        case .recoveryTextNoPasskeys: "復旧コードでサインインしました。このデバイスで新しいパスキーを作成して完了してください。"
        case .recoveryButton: "新しいパスキーを作成"
        case .verifyHeading: "メールアドレスの確認"
        case .verifyText: "このアドレスにお送りする 8 桁のコードで確認します。メールのコードを入力するか、お手元にない場合はコードを送信してください。確認済みのアドレスがあれば、パスキーをなくしてもアカウントを復旧できます。"
        case .verifyCode: "コード"
        case .verifyConfirm: "確認"
        case .verifyResend: "新しいコードを送信"
        case .passwordHeading: "パスワード"
        case .passwordText: "このアカウントには移行時のパスワードが残っています。パスキーがあれば不要です。"
        case .removePassword: "パスワードを削除"
        case .confirmingEmail: "メールアドレスを確認しています…"
        case .sendingCode: "新しいコードを送信しています…"
        case .removingPassword: "パスワードを削除しています…"
        case .emailConfirmed: "メールアドレスを確認しました。"
        case .codeSent: "新しいコードを送信しました。メールを確認してください。"
        case .passwordRemoved: "パスワードを削除しました。これからはパスキーでサインインします。"
        case .sendingRecoveryCode: "コードを送信しています…"
        case .recoveryCodeSent: "このアドレスのアカウントがあれば、コードを送信しました。数分間有効です。"
        case .checkingRecoveryCode: "コードを確認しています…"
        case .upgraded(let name): "ブラウザーがパスキー「\(name)」を作成しました。次回はこれでサインインしてください。"
        }
    }

    private static func japaneseDay(_ day: Auth.Day) -> String {
        "\(day.year)年\(day.month)月\(day.day)日"
    }

    private static func japaneseMail(_ mail: Auth.Mail) -> String {
        switch mail {
        case .yourCode: "コード:"
        case .orOpenLink: "またはこのリンクを開いてください:"
        case .duration(let seconds):
            if seconds % 3600 == 0 { "\(seconds / 3600)時間" }
            else if seconds % 60 == 0 { "\(seconds / 60)分" }
            else { "\(seconds)秒" }
        case .verificationSubject(let site): "\(site) のメールアドレスの確認"
        case .verificationTitle: "メールアドレスの確認"
        case .verificationIntro(let site): "\(site) に登録したメールアドレスを確認してください。"
        case .verificationLink: "メールアドレスを確認する"
        case .verificationFooter(let validFor):
            "コードの有効期間は\(validFor)です。アカウントを作成した覚えがない場合は、このメールを無視してください。"
        case .recoverySubject(let site): "\(site) のアカウントの復旧"
        case .recoveryTitle: "アカウントの復旧"
        case .recoveryIntro(let site): "このメールアドレスの \(site) アカウントの復旧がリクエストされました。"
        case .recoveryLink: "新しいパスキーを作成する"
        case .recoveryFooter(let validFor):
            "このコードで新しいパスキーを作成できます。有効期間は\(validFor)で、一度だけ使えます。リクエストした覚えがない場合は、このメールを無視してください。コードがなければ何も変わりません。"
        }
    }

    private static func japaneseSecurity(_ phrase: Auth.Security.Phrase) -> String {
        func with(_ passkey: Auth.Security.PasskeyMention) -> String {
            switch passkey {
            case .none: ""
            case .named(let name): "(パスキー「\(name)」)"
            case .deleted: "(削除済みのパスキー)"
            }
        }
        switch phrase {
        case .event(let type, let passkey): return (japaneseEvents.first { $0.type == type }?.words ?? type) + with(passkey)
        case .unknownDevice: return "不明なデバイス"
        case .thisBrowser: return "このブラウザ"
        case .session(let signedIn, let passkey, let lastSeen): return "\(signedIn)にサインイン\(with(passkey))・最終アクセス \(lastSeen)"
        case .onlyThisBrowser: return "サインインしているのはこのブラウザだけです。"
        case .thisBrowserAndOthers(let count): return "このブラウザとほかに\(count)か所でサインインしています。"
        case .endedSession(let device): return "\(device) をサインアウトしました。"
        case .endedOtherSessions: return "ほかのすべての場所からサインアウトしました。"
        case .loading: return "サインイン中の場所と最近のアクティビティを読み込んでいます…"
        case .endingSession: return "そのデバイスをサインアウトしています…"
        case .endingOtherSessions: return "ほかのすべての場所からサインアウトしています…"
        case .loadingMore: return "以前のアクティビティを読み込んでいます…"
        case .moment(let moment): return japaneseDay(moment.day) + " " + moment.clock
        case .appAllowed(let at, let scopes): return "\(at)に許可: " + scopes.joined(separator: ", ")
        case .removeAppFor(let name): return "\(name) のアクセスを削除"
        case .removedApp(let name): return "\(name) のアクセスを削除しました。"
        case .removingApp: return "アプリのアクセスを削除しています…"
        }
    }

    /// The activity log's kinds of event, in the words of this language.
    private static let japaneseEvents: [(type: String, words: String)] = [
        ("sign_up", "アカウントを作成"),
        ("sign_in", "サインイン"),
        ("sign_in_failed", "サインインに失敗"),
        ("passkey_added", "パスキーを追加"),
        ("passkey_renamed", "パスキーの名前を変更"),
        ("passkey_deleted", "パスキーを削除"),
        ("display_name_changed", "表示名を変更"),
        ("session_ended", "サインアウト"),
        ("account_disabled", "サイトがアカウントを無効化"),
        ("account_enabled", "サイトがアカウントを有効化"),
        ("sessions_revoked", "サイトがすべての場所からサインアウト"),
        ("account_imported", "アカウントを移行"),
        ("verification_code_sent", "確認コードをメールで送信"),
        ("verification_code_capped", "確認コードは送信されませんでした(この1時間の上限)"),
        ("email_verified", "メールアドレスを確認"),
        ("email_verification_failed", "確認コードが違いました"),
        ("recovery_code_sent", "復旧コードをメールで送信"),
        ("recovery_code_capped", "復旧コードは送信されませんでした(この1時間の上限)"),
        ("recovery_started", "復旧コードでサインイン"),
        ("recovery_failed", "復旧コードが違いました"),
        ("recovery_completed", "新しいパスキーで復旧を完了"),
        ("password_sign_in", "パスワードでサインイン"),
        ("password_sign_in_failed", "パスワードでのサインインに失敗"),
        ("password_removed", "パスワードを削除"),
        ("passkey_upgrade", "パスキーを自動で作成"),
        ("oauth_consent_granted", "アプリを許可"),
        ("oauth_access_removed", "アプリのアクセスを削除"),
    ]

    private static func japaneseConsent(_ phrase: Auth.Consent.Phrase) -> String {
        switch phrase {
        case .title(let app?): "\(app) を許可しますか?"
        case .title(nil): "アクセスを許可しますか?"
        case .ledeBeforeClient: ""
        case .ledeBeforeUser: " が "
        case .ledeAfterUser: " としてサインインしようとしています。共有される情報:"
        case .scope("openid"): "アカウントの識別子(メールアドレスではありません)"
        case .scope("profile"): "ユーザー名と表示名"
        case .scope("email"): "メールアドレス"
        case .scope("offline_access"): "不在時のアクセス: 削除するまでサインインしたままになります"
        case .scope: ""
        case .loading: "リクエストを読み込んでいます…"
        case .deciding: "回答を送信しています…"
        }
    }
}
