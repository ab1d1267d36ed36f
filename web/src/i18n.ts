// Translations of every string the UI shows, in English and Italian, and the
// rules that pick the language. The English dictionary defines the keys; the
// Italian one is typed against it, so a missing or extra key is a type error
// and neither language can be half-translated. Placeholders are written
// {name} and filled by format().

export type Locale = 'it' | 'en';
export const LOCALES: Locale[] = ['it', 'en'];

const en = {
  'app.name': 'piazza',
  'app.tagline': 'Social business hub',
  'a11y.skip': 'Skip to main content',
  'lang.group': 'Language / Lingua',
  'lang.it': 'Italiano',
  'lang.en': 'English',
  'common.cancel': 'Cancel',
  'common.close': 'Close',
  'common.save': 'Save',
  'common.saving': 'Saving…',
  'common.saved': 'Saved.',
  'common.loading': 'Loading…',
  'common.copy': 'Copy',
  'common.copied': 'Copied to the clipboard.',
  'common.copyFailed': 'Copying failed: select the text and copy it by hand.',
  'common.never': 'Never',
  'common.retry': 'Try again',
  'common.required': 'required',
  'common.comingLater': 'Not built yet',
  'common.whatNow': 'What you can do now',

  'boot.loading': 'Opening piazza…',
  'boot.failed': 'piazza could not be reached. Check that the server is running, then try again.',

  'setup.title': 'Set up piazza',
  'setup.intro':
    'This is the first start of this piazza. Create the workspace of your company and its owner account; you will add your team afterwards.',
  'setup.section.workspace': 'Workspace',
  'setup.section.owner': 'Owner account',
  'setup.section.code': 'Confirm that you started the server',
  'setup.workspaceName': 'Company or workspace name',
  'setup.workspaceSlug': 'Short name',
  'setup.workspaceSlugHint': 'Lowercase letters, digits and dashes; used in addresses and on the command line.',
  'setup.locale': 'Language',
  'setup.localeHint': 'Language of the workspace and of this page.',
  'setup.timezone': 'Time zone',
  'setup.timezoneHint': 'Dates, calendars and reports use this zone.',
  'setup.name': 'Your name',
  'setup.email': 'E-mail',
  'setup.password': 'Password',
  'setup.passwordHint': 'At least 10 characters, not your e-mail and not a common password.',
  'setup.code': 'Set-up code',
  'setup.codeHint':
    'The one-time code printed on the server console where piazza was started, like ABCD-1234.',
  'setup.submit': 'Create workspace',
  'setup.submitting': 'Creating…',
  'setup.goSignIn': 'Go to sign-in',

  'signin.title': 'Sign in',
  'signin.subtitle': 'Enter your company’s piazza.',
  'signin.email': 'E-mail',
  'signin.password': 'Password',
  'signin.workspace': 'Workspace short name',
  'signin.workspaceHint': 'This e-mail belongs to more than one workspace: enter the short name of the one you want.',
  'signin.submit': 'Sign in',
  'signin.submitting': 'Signing in…',
  'signin.help': 'Accounts are created by the owner of your workspace.',
  'signin.signedOut': 'You have signed out.',
  'signin.expired': 'Your session has ended: sign in again.',

  'pw.title': 'Choose your password',
  'pw.intro': 'You signed in with a temporary password. Choose your own password to continue.',
  'pw.current': 'Current password',
  'pw.temporary': 'Temporary password',
  'pw.new': 'New password',
  'pw.confirm': 'Repeat the new password',
  'pw.mismatch': 'The two passwords are different.',
  'pw.submit': 'Change password',
  'pw.submitting': 'Changing…',
  'pw.done': 'Password changed.',

  'nav.label': 'Main',
  'nav.inbox': 'Inbox',
  'nav.contacts': 'Contacts',
  'nav.goals': 'Goals',
  'nav.plan': 'Plan',
  'nav.community': 'Community',
  'nav.insights': 'Insights',
  'nav.people': 'People',
  'nav.settings': 'Settings',
  'shell.menu': 'Menu',
  'shell.account': 'Account menu',
  'shell.signOut': 'Sign out',
  'shell.profile': 'Your profile',
  'shell.signingOut': 'Signing out…',

  'role.owner': 'Owner',
  'role.manager': 'Manager',
  'role.agent': 'Agent',
  'role.member': 'Member',
  'role.consultant': 'Consultant',
  'roleHelp.owner': 'everything, including users and the audit log',
  'roleHelp.manager': 'runs the business modules',
  'roleHelp.agent': 'answers customers in the inbox',
  'roleHelp.member': 'reads and takes part',
  'roleHelp.consultant': 'reads what a manager reads, changes nothing',

  'inbox.lead': 'One shared inbox for every channel your customers choose.',
  'inbox.body':
    'WhatsApp, Telegram, e-mail, Messenger, Instagram, X, your website and the phone will arrive here as conversations that your team answers together, with first-response and resolution times measured.',
  'inbox.status': 'The Inbox module is not built yet; it comes after Relationships.',
  'inbox.nextOwner': 'Add your customer-care team in Settings › Users, so they are ready when the first conversations arrive.',
  'inbox.next': 'Check your name and language in your profile, so your colleagues recognise your answers.',

  'contacts.lead': 'Every customer, prospect, supplier and partner, as one person across channels.',
  'contacts.body':
    'You will see who in the company owns each relationship, how strong it is and when it is going cold — the relationship first, the sale later.',
  'contacts.status':
    'Importing contacts (CSV, vCard, e-mail and WhatsApp archives) arrives with the Relationships module.',
  'contacts.next': 'Keep your address books and chat exports at hand: they will be the first thing to import.',

  'goals.lead': 'Objectives with targets, their cost and the conversions they bring.',
  'goals.body':
    'Record what each goal costs in money and staff hours, count purchases, newsletter sign-ups, coupon downloads and webinar registrations through tracked links, a pixel and an events API, and see why a goal was missed by channel, campaign or funnel step.',
  'goals.status': 'The Goals & ROI module is not built yet.',
  'goals.next': 'The events API will accept the API tokens you can already create in Settings.',

  'plan.lead': 'A strategy that every manager sees, and one editorial calendar.',
  'plan.body':
    'Marketing, customer care, HR and PR will plan in the same calendar, also published as an iCalendar feed, so departments stop acting apart.',
  'plan.status': 'The Plan module is not built yet.',
  'plan.next': 'Nothing to set up here for now.',

  'community.lead': 'Private groups for the people inside the company.',
  'community.body':
    'Internal groups with posts and discussions, so that what the company knows stays shared instead of scattered across private chats.',
  'community.status': 'The Community module is not built yet.',
  'community.next': 'The people who will take part are the users of this workspace.',

  'insights.lead': 'What customers talk about, in Italian and English, with sentiment.',
  'insights.body':
    'Dashboards and reports on conversations, response times and goals, and a self-assessment of where the company stands on the road to a social business, re-taken over time.',
  'insights.status': 'Insights need conversations to read, so this module comes after the Inbox.',
  'insights.next': 'The audit log already shows what happens in this workspace.',
  'insights.nextOther': 'Nothing to set up here for now.',

  'people.lead': 'Who knows whom, and who knows what.',
  'people.body':
    'A directory of skills, attitudes, languages and training, so that the right person takes the right relationship.',
  'people.status': 'The People directory is not built yet.',
  'people.nextOwner': 'The accounts of your team are already managed in Settings › Users.',
  'people.next': 'Your own details are in your profile.',

  'link.users': 'Open Users',
  'link.profile': 'Open your profile',
  'link.tokens': 'Open API tokens',
  'link.audit': 'Open the audit log',

  'settings.title': 'Settings',
  'settings.nav': 'Settings sections',
  'settings.profile': 'Profile',
  'settings.tokens': 'API tokens',
  'settings.users': 'Users',
  'settings.audit': 'Audit log',
  'settings.ownerOnly': 'Only the owner of the workspace can open this page.',

  'profile.details': 'Your details',
  'profile.name': 'Name',
  'profile.email': 'E-mail',
  'profile.role': 'Role',
  'profile.workspace': 'Workspace',
  'profile.language': 'Language',
  'profile.languageHint': 'The language of the interface, saved to your account.',
  'profile.password': 'Change password',
  'profile.nameSaved': 'Name saved.',
  'profile.languageSaved': 'Language saved.',

  'tokens.intro':
    'A token lets another program use the piazza API on your behalf, with the header “Authorization: Bearer …”. It can do what you can do: keep it secret, and revoke it when it is no longer needed.',
  'tokens.createTitle': 'New token',
  'tokens.name': 'Token name',
  'tokens.nameHint': 'What it is for, for example “website form”.',
  'tokens.create': 'Create token',
  'tokens.creating': 'Creating…',
  'tokens.secretTitle': 'Token “{name}” created',
  'tokens.secretWarning':
    'Copy it now: this is the only time piazza shows it. Afterwards only its first characters are shown.',
  'tokens.secretLabel': 'Secret token',
  'tokens.secretDone': 'I have copied it',
  'tokens.listTitle': 'Your tokens',
  'tokens.empty': 'You have no tokens yet.',
  'tokens.col.name': 'Name',
  'tokens.col.prefix': 'Starts with',
  'tokens.col.created': 'Created',
  'tokens.col.lastUsed': 'Last used',
  'tokens.col.status': 'Status',
  'tokens.col.actions': 'Actions',
  'tokens.active': 'Active',
  'tokens.revoked': 'Revoked',
  'tokens.revoke': 'Revoke',
  'tokens.revokeLabel': 'Revoke token {name}',
  'tokens.revokeTitle': 'Revoke token “{name}”?',
  'tokens.revokeBody': 'Programs that use it will stop working at once. This cannot be undone.',
  'tokens.revokeConfirm': 'Revoke token',
  'tokens.revokedNotice': 'Token “{name}” revoked.',
  'tokens.readOnly': 'Consultants have read-only access and cannot create tokens.',

  'users.intro': 'The people who can sign in to this workspace, and what each of them may do.',
  'users.addTitle': 'Add a user',
  'users.email': 'E-mail',
  'users.name': 'Name',
  'users.role': 'Role',
  'users.roles': 'What each role may do',
  'users.add': 'Add user',
  'users.adding': 'Adding…',
  'users.tempTitle': 'User added: {name}',
  'users.tempWarning':
    'Give this temporary password to {name} through a safe channel. It is shown only now; at the first sign-in {name} will choose a new one.',
  'users.tempLabel': 'Temporary password',
  'users.tempDone': 'Done',
  'users.listTitle': 'Users of this workspace',
  'users.col.name': 'Name',
  'users.col.email': 'E-mail',
  'users.col.role': 'Role',
  'users.col.status': 'Status',
  'users.col.lastSignIn': 'Last sign-in',
  'users.col.actions': 'Actions',
  'users.you': 'you',
  'users.active': 'Active',
  'users.disabled': 'Disabled',
  'users.mustChange': 'Temporary password',
  'users.roleOf': 'Role of {name}',
  'users.roleChanged': '{name} is now {role}.',
  'users.disable': 'Disable',
  'users.enable': 'Enable',
  'users.disableLabel': 'Disable {name}',
  'users.enableLabel': 'Enable {name}',
  'users.disableTitle': 'Disable {name}?',
  'users.disableBody': '{name} will no longer be able to sign in, until you enable the account again. Nothing is deleted.',
  'users.disableConfirm': 'Disable account',
  'users.disabledNotice': 'The account of {name} has been disabled.',
  'users.enabledNotice': 'The account of {name} has been enabled again.',
  'users.lastOwner': 'The workspace must keep at least one active owner.',

  'audit.intro': 'What happened in this workspace, newest first. Times are in {tz}.',
  'audit.col.at': 'When',
  'audit.col.action': 'What',
  'audit.col.actor': 'Who',
  'audit.col.target': 'On',
  'audit.col.ip': 'From',
  'audit.col.detail': 'Detail',
  'audit.loadMore': 'Load more',
  'audit.end': 'That is the oldest event.',
  'audit.empty': 'No events yet.',
  'audit.system': 'system',
  'audit.count': '{n} events shown',
  'action.session.sign_in': 'Signed in',
  'action.session.sign_in_failed': 'Failed sign-in',
  'action.session.sign_out': 'Signed out',
  'action.user.create': 'User added',
  'action.user.role_change': 'Role changed',
  'action.user.disable': 'User disabled',
  'action.user.enable': 'User enabled',
  'action.token.create': 'API token created',
  'action.token.revoke': 'API token revoked',
  'action.setup.complete': 'piazza set up',
  'action.user.password_change': 'Password changed',

  'notFound.title': 'Page not found',
  'notFound.body': 'There is no page at this address.',
  'notFound.home': 'Go to the inbox',

  'time.second': '1 second',
  'time.seconds': '{n} seconds',
  'time.minute': '1 minute',
  'time.minutes': '{n} minutes',

  'val.required': 'Fill in this field.',
  'val.email': 'Enter an e-mail address, like name@company.it.',
  'val.slug': 'Use lowercase letters, digits and dashes only.',
  'val.code': 'The code is 8 letters or digits, like ABCD-1234.',
  'val.passwordShort': 'The password must be at least 10 characters long.',
  'invalid.workspace_name': 'Enter a name of 1 to 120 characters.',
  'invalid.workspace_slug': 'Use 1 to 63 lowercase letters, digits and dashes.',
  'invalid.timezone': 'This time zone is not known to the server: choose another from the list.',
  'invalid.email': 'Enter an e-mail address, like name@company.it.',
  'invalid.name': 'Enter a name.',
  'invalid.locale': 'Choose Italian or English.',
  'invalid.role': 'Choose one of the roles in the list.',

  'err.network': 'The server could not be reached. Check the connection and try again.',
  'err.unknown': 'Something went wrong (error {code}).',
  'err.auth.required': 'Your session has ended: sign in again.',
  'err.auth.bad_credentials': 'Wrong e-mail or password.',
  'err.auth.bad_token': 'This token is not valid.',
  'err.auth.rate_limited': 'Too many attempts. Try again in {time}.',
  'err.auth.rate_limited.noTime': 'Too many attempts. Wait a few minutes and try again.',
  'err.auth.forbidden': 'Your role does not allow this.',
  'err.csrf.missing': 'This page is out of date: reload it and try again.',
  'err.http.not_found': 'Not found.',
  'err.http.method_not_allowed': 'The server does not accept this request.',
  'err.http.body_too_large': 'What you sent is too large.',
  'err.http.bad_host': 'The server does not accept this address; check its --public-url setting.',
  'err.request.bad_json': 'The server could not read the request.',
  'err.request.invalid': 'This value is not valid.',
  'err.password.too_short': 'The password must be at least 10 characters long.',
  'err.password.too_common': 'This password is too common: choose one that is harder to guess.',
  'err.password.same_as_email': 'The password must not be your e-mail address.',
  'err.setup.done': 'piazza has already been set up: sign in instead.',
  'err.setup.bad_code': 'Wrong set-up code. Look for “set-up code” on the server console.',
  'err.user.exists': 'A user with this e-mail already exists.',
  'err.user.disabled': 'This account is disabled. Ask the owner of your workspace.',
  'err.user.last_owner': 'The workspace must keep at least one active owner: make someone else owner first.',
  'err.not_found': 'Not found in your workspace.',
};

export type Key = keyof typeof en;

const it: Record<Key, string> = {
  'app.name': 'piazza',
  'app.tagline': 'Social business hub',
  'a11y.skip': 'Vai al contenuto principale',
  'lang.group': 'Lingua / Language',
  'lang.it': 'Italiano',
  'lang.en': 'English',
  'common.cancel': 'Annulla',
  'common.close': 'Chiudi',
  'common.save': 'Salva',
  'common.saving': 'Salvataggio…',
  'common.saved': 'Salvato.',
  'common.loading': 'Caricamento…',
  'common.copy': 'Copia',
  'common.copied': 'Copiato negli appunti.',
  'common.copyFailed': 'Copia non riuscita: seleziona il testo e copialo a mano.',
  'common.never': 'Mai',
  'common.retry': 'Riprova',
  'common.required': 'obbligatorio',
  'common.comingLater': 'Non ancora disponibile',
  'common.whatNow': 'Cosa puoi fare adesso',

  'boot.loading': 'Apertura di piazza…',
  'boot.failed': 'Impossibile raggiungere piazza. Controlla che il server sia avviato e riprova.',

  'setup.title': 'Configura piazza',
  'setup.intro':
    'È il primo avvio di questa piazza. Crea lo spazio di lavoro della tua azienda e l’account del titolare; il resto del team lo aggiungerai dopo.',
  'setup.section.workspace': 'Spazio di lavoro',
  'setup.section.owner': 'Account del titolare',
  'setup.section.code': 'Conferma di aver avviato tu il server',
  'setup.workspaceName': 'Nome dell’azienda o dello spazio di lavoro',
  'setup.workspaceSlug': 'Nome breve',
  'setup.workspaceSlugHint': 'Lettere minuscole, cifre e trattini; si usa negli indirizzi e nella riga di comando.',
  'setup.locale': 'Lingua',
  'setup.localeHint': 'Lingua dello spazio di lavoro e di questa pagina.',
  'setup.timezone': 'Fuso orario',
  'setup.timezoneHint': 'Date, calendari e report usano questo fuso.',
  'setup.name': 'Il tuo nome',
  'setup.email': 'E-mail',
  'setup.password': 'Password',
  'setup.passwordHint': 'Almeno 10 caratteri, diversa dalla tua e-mail e non tra quelle più comuni.',
  'setup.code': 'Codice di configurazione',
  'setup.codeHint':
    'Il codice monouso stampato sulla console del server dove è stato avviato piazza, tipo ABCD-1234.',
  'setup.submit': 'Crea lo spazio di lavoro',
  'setup.submitting': 'Creazione in corso…',
  'setup.goSignIn': 'Vai all’accesso',

  'signin.title': 'Accedi',
  'signin.subtitle': 'Entra nella piazza della tua azienda.',
  'signin.email': 'E-mail',
  'signin.password': 'Password',
  'signin.workspace': 'Nome breve dello spazio di lavoro',
  'signin.workspaceHint':
    'Questa e-mail appartiene a più spazi di lavoro: scrivi il nome breve di quello in cui vuoi entrare.',
  'signin.submit': 'Accedi',
  'signin.submitting': 'Accesso in corso…',
  'signin.help': 'Gli account li crea il titolare del tuo spazio di lavoro.',
  'signin.signedOut': 'Uscita effettuata.',
  'signin.expired': 'La sessione è scaduta: accedi di nuovo.',

  'pw.title': 'Scegli la tua password',
  'pw.intro': 'Hai effettuato l’accesso con una password temporanea. Per continuare scegline una tua.',
  'pw.current': 'Password attuale',
  'pw.temporary': 'Password temporanea',
  'pw.new': 'Nuova password',
  'pw.confirm': 'Ripeti la nuova password',
  'pw.mismatch': 'Le due password sono diverse.',
  'pw.submit': 'Cambia password',
  'pw.submitting': 'Modifica in corso…',
  'pw.done': 'Password cambiata.',

  'nav.label': 'Principale',
  'nav.inbox': 'Posta in arrivo',
  'nav.contacts': 'Contatti',
  'nav.goals': 'Obiettivi',
  'nav.plan': 'Piano',
  'nav.community': 'Community',
  'nav.insights': 'Analisi',
  'nav.people': 'Persone',
  'nav.settings': 'Impostazioni',
  'shell.menu': 'Menu',
  'shell.account': 'Menu dell’account',
  'shell.signOut': 'Esci',
  'shell.profile': 'Il tuo profilo',
  'shell.signingOut': 'Uscita in corso…',

  'role.owner': 'Titolare',
  'role.manager': 'Responsabile',
  'role.agent': 'Operatore',
  'role.member': 'Membro',
  'role.consultant': 'Consulente',
  'roleHelp.owner': 'tutto, compresi utenti e registro attività',
  'roleHelp.manager': 'gestisce i moduli di lavoro',
  'roleHelp.agent': 'risponde ai clienti nella posta in arrivo',
  'roleHelp.member': 'legge e partecipa',
  'roleHelp.consultant': 'legge ciò che legge un responsabile, senza modificare nulla',

  'inbox.lead': 'Un’unica posta in arrivo condivisa, per ogni canale scelto dai tuoi clienti.',
  'inbox.body':
    'WhatsApp, Telegram, e-mail, Messenger, Instagram, X, il tuo sito e il telefono arriveranno qui come conversazioni a cui il team risponde insieme, misurando i tempi di prima risposta e di risoluzione.',
  'inbox.status': 'Il modulo Posta in arrivo non è ancora stato realizzato; arriva dopo quello delle Relazioni.',
  'inbox.nextOwner':
    'Aggiungi il team dell’assistenza clienti in Impostazioni › Utenti, così sarà pronto quando arriveranno le prime conversazioni.',
  'inbox.next': 'Controlla nome e lingua nel tuo profilo, così i colleghi riconosceranno le tue risposte.',

  'contacts.lead': 'Ogni cliente, potenziale cliente, fornitore e partner, come un’unica persona su tutti i canali.',
  'contacts.body':
    'Vedrai chi in azienda cura ogni relazione, quanto è solida e quando si sta raffreddando: prima la relazione, poi la vendita.',
  'contacts.status':
    'L’importazione dei contatti (CSV, vCard, archivi e-mail e WhatsApp) arriva con il modulo Relazioni.',
  'contacts.next': 'Tieni a portata di mano rubriche ed esportazioni delle chat: saranno le prime cose da importare.',

  'goals.lead': 'Obiettivi con traguardi, costi e le conversioni che portano.',
  'goals.body':
    'Registra quanto costa ogni obiettivo in denaro e in ore di lavoro, conta acquisti, iscrizioni alla newsletter, coupon scaricati e iscrizioni ai webinar con link tracciati, un pixel e un’API per gli eventi, e scopri perché un obiettivo è stato mancato per canale, campagna o passo del funnel.',
  'goals.status': 'Il modulo Obiettivi e ROI non è ancora stato realizzato.',
  'goals.next': 'L’API per gli eventi accetterà i token API che puoi già creare nelle Impostazioni.',

  'plan.lead': 'Una strategia visibile a ogni responsabile e un unico calendario editoriale.',
  'plan.body':
    'Marketing, assistenza clienti, risorse umane e relazioni pubbliche pianificheranno nello stesso calendario, pubblicato anche come feed iCalendar, così i reparti smettono di muoversi ognuno per conto suo.',
  'plan.status': 'Il modulo Piano non è ancora stato realizzato.',
  'plan.next': 'Per ora qui non c’è nulla da configurare.',

  'community.lead': 'Gruppi riservati alle persone dell’azienda.',
  'community.body':
    'Gruppi interni con post e discussioni, perché ciò che l’azienda sa resti condiviso invece che disperso nelle chat private.',
  'community.status': 'Il modulo Community non è ancora stato realizzato.',
  'community.next': 'Ne faranno parte gli utenti di questo spazio di lavoro.',

  'insights.lead': 'Di cosa parlano i clienti, in italiano e in inglese, con il sentiment.',
  'insights.body':
    'Cruscotti e report su conversazioni, tempi di risposta e obiettivi, e un’autovalutazione di dove si trova l’azienda sulla strada verso il social business, da ripetere nel tempo.',
  'insights.status':
    'Le analisi hanno bisogno di conversazioni da leggere, quindi questo modulo arriva dopo la Posta in arrivo.',
  'insights.next': 'Il registro attività mostra già cosa succede in questo spazio di lavoro.',
  'insights.nextOther': 'Per ora qui non c’è nulla da configurare.',

  'people.lead': 'Chi conosce chi, e chi sa fare cosa.',
  'people.body':
    'Un elenco di competenze, attitudini, lingue e formazione, perché la persona giusta curi la relazione giusta.',
  'people.status': 'L’elenco delle Persone non è ancora stato realizzato.',
  'people.nextOwner': 'Gli account del tuo team si gestiscono già in Impostazioni › Utenti.',
  'people.next': 'I tuoi dati sono nel tuo profilo.',

  'link.users': 'Apri Utenti',
  'link.profile': 'Apri il tuo profilo',
  'link.tokens': 'Apri Token API',
  'link.audit': 'Apri il registro attività',

  'settings.title': 'Impostazioni',
  'settings.nav': 'Sezioni delle impostazioni',
  'settings.profile': 'Profilo',
  'settings.tokens': 'Token API',
  'settings.users': 'Utenti',
  'settings.audit': 'Registro attività',
  'settings.ownerOnly': 'Solo il titolare dello spazio di lavoro può aprire questa pagina.',

  'profile.details': 'I tuoi dati',
  'profile.name': 'Nome',
  'profile.email': 'E-mail',
  'profile.role': 'Ruolo',
  'profile.workspace': 'Spazio di lavoro',
  'profile.language': 'Lingua',
  'profile.languageHint': 'La lingua dell’interfaccia, salvata nel tuo account.',
  'profile.password': 'Cambia password',
  'profile.nameSaved': 'Nome salvato.',
  'profile.languageSaved': 'Lingua salvata.',

  'tokens.intro':
    'Un token permette a un altro programma di usare l’API di piazza a nome tuo, con l’intestazione “Authorization: Bearer …”. Può fare tutto ciò che puoi fare tu: tienilo segreto e revocalo quando non serve più.',
  'tokens.createTitle': 'Nuovo token',
  'tokens.name': 'Nome del token',
  'tokens.nameHint': 'A cosa serve, per esempio “modulo del sito”.',
  'tokens.create': 'Crea token',
  'tokens.creating': 'Creazione in corso…',
  'tokens.secretTitle': 'Token “{name}” creato',
  'tokens.secretWarning':
    'Copialo adesso: è l’unica volta in cui piazza lo mostra. In seguito se ne vedranno solo i primi caratteri.',
  'tokens.secretLabel': 'Token segreto',
  'tokens.secretDone': 'L’ho copiato',
  'tokens.listTitle': 'I tuoi token',
  'tokens.empty': 'Non hai ancora nessun token.',
  'tokens.col.name': 'Nome',
  'tokens.col.prefix': 'Inizia con',
  'tokens.col.created': 'Creato',
  'tokens.col.lastUsed': 'Ultimo uso',
  'tokens.col.status': 'Stato',
  'tokens.col.actions': 'Azioni',
  'tokens.active': 'Attivo',
  'tokens.revoked': 'Revocato',
  'tokens.revoke': 'Revoca',
  'tokens.revokeLabel': 'Revoca il token {name}',
  'tokens.revokeTitle': 'Revocare il token “{name}”?',
  'tokens.revokeBody': 'I programmi che lo usano smetteranno subito di funzionare. L’operazione non si può annullare.',
  'tokens.revokeConfirm': 'Revoca il token',
  'tokens.revokedNotice': 'Token “{name}” revocato.',
  'tokens.readOnly': 'I consulenti hanno accesso in sola lettura e non possono creare token.',

  'users.intro': 'Le persone che possono accedere a questo spazio di lavoro, e cosa può fare ciascuna.',
  'users.addTitle': 'Aggiungi un utente',
  'users.email': 'E-mail',
  'users.name': 'Nome',
  'users.role': 'Ruolo',
  'users.roles': 'Cosa può fare ogni ruolo',
  'users.add': 'Aggiungi utente',
  'users.adding': 'Aggiunta in corso…',
  'users.tempTitle': 'Utente aggiunto: {name}',
  'users.tempWarning':
    'Consegna questa password temporanea a {name} attraverso un canale sicuro. Viene mostrata solo adesso; al primo accesso {name} ne sceglierà una nuova.',
  'users.tempLabel': 'Password temporanea',
  'users.tempDone': 'Fatto',
  'users.listTitle': 'Utenti di questo spazio di lavoro',
  'users.col.name': 'Nome',
  'users.col.email': 'E-mail',
  'users.col.role': 'Ruolo',
  'users.col.status': 'Stato',
  'users.col.lastSignIn': 'Ultimo accesso',
  'users.col.actions': 'Azioni',
  'users.you': 'tu',
  'users.active': 'Attivo',
  'users.disabled': 'Disattivato',
  'users.mustChange': 'Password temporanea',
  'users.roleOf': 'Ruolo di {name}',
  'users.roleChanged': 'Ora il ruolo di {name} è {role}.',
  'users.disable': 'Disattiva',
  'users.enable': 'Riattiva',
  'users.disableLabel': 'Disattiva {name}',
  'users.enableLabel': 'Riattiva {name}',
  'users.disableTitle': 'Disattivare {name}?',
  'users.disableBody':
    '{name} non potrà più accedere finché non riattiverai l’account. Non viene cancellato nulla.',
  'users.disableConfirm': 'Disattiva l’account',
  'users.disabledNotice': 'L’account di {name} è stato disattivato.',
  'users.enabledNotice': 'L’account di {name} è stato riattivato.',
  'users.lastOwner': 'Lo spazio di lavoro deve avere almeno un titolare attivo.',

  'audit.intro': 'Cosa è successo in questo spazio di lavoro, dal più recente. Gli orari sono nel fuso {tz}.',
  'audit.col.at': 'Quando',
  'audit.col.action': 'Cosa',
  'audit.col.actor': 'Chi',
  'audit.col.target': 'Su',
  'audit.col.ip': 'Da',
  'audit.col.detail': 'Dettagli',
  'audit.loadMore': 'Carica altri',
  'audit.end': 'Questo è l’evento più vecchio.',
  'audit.empty': 'Ancora nessun evento.',
  'audit.system': 'sistema',
  'audit.count': '{n} eventi mostrati',
  'action.session.sign_in': 'Accesso',
  'action.session.sign_in_failed': 'Accesso non riuscito',
  'action.session.sign_out': 'Uscita',
  'action.user.create': 'Utente aggiunto',
  'action.user.role_change': 'Ruolo cambiato',
  'action.user.disable': 'Utente disattivato',
  'action.user.enable': 'Utente riattivato',
  'action.token.create': 'Token API creato',
  'action.token.revoke': 'Token API revocato',
  'action.setup.complete': 'piazza configurata',
  'action.user.password_change': 'Password cambiata',

  'notFound.title': 'Pagina non trovata',
  'notFound.body': 'A questo indirizzo non c’è nessuna pagina.',
  'notFound.home': 'Vai alla posta in arrivo',

  'time.second': '1 secondo',
  'time.seconds': '{n} secondi',
  'time.minute': '1 minuto',
  'time.minutes': '{n} minuti',

  'val.required': 'Compila questo campo.',
  'val.email': 'Scrivi un indirizzo e-mail, tipo nome@azienda.it.',
  'val.slug': 'Usa solo lettere minuscole, cifre e trattini.',
  'val.code': 'Il codice è di 8 lettere o cifre, tipo ABCD-1234.',
  'val.passwordShort': 'La password deve avere almeno 10 caratteri.',
  'invalid.workspace_name': 'Scrivi un nome da 1 a 120 caratteri.',
  'invalid.workspace_slug': 'Usa da 1 a 63 lettere minuscole, cifre e trattini.',
  'invalid.timezone': 'Il server non conosce questo fuso orario: scegline un altro dall’elenco.',
  'invalid.email': 'Scrivi un indirizzo e-mail, tipo nome@azienda.it.',
  'invalid.name': 'Scrivi un nome.',
  'invalid.locale': 'Scegli italiano o inglese.',
  'invalid.role': 'Scegli uno dei ruoli dell’elenco.',

  'err.network': 'Impossibile raggiungere il server. Controlla la connessione e riprova.',
  'err.unknown': 'Qualcosa non ha funzionato (errore {code}).',
  'err.auth.required': 'La sessione è scaduta: accedi di nuovo.',
  'err.auth.bad_credentials': 'E-mail o password errate.',
  'err.auth.bad_token': 'Questo token non è valido.',
  'err.auth.rate_limited': 'Troppi tentativi. Riprova tra {time}.',
  'err.auth.rate_limited.noTime': 'Troppi tentativi. Attendi qualche minuto e riprova.',
  'err.auth.forbidden': 'Il tuo ruolo non consente questa operazione.',
  'err.csrf.missing': 'La pagina non è aggiornata: ricaricala e riprova.',
  'err.http.not_found': 'Non trovato.',
  'err.http.method_not_allowed': 'Il server non accetta questa richiesta.',
  'err.http.body_too_large': 'Quello che hai inviato è troppo grande.',
  'err.http.bad_host': 'Il server non accetta questo indirizzo; controlla l’impostazione --public-url.',
  'err.request.bad_json': 'Il server non è riuscito a leggere la richiesta.',
  'err.request.invalid': 'Questo valore non è valido.',
  'err.password.too_short': 'La password deve avere almeno 10 caratteri.',
  'err.password.too_common': 'Questa password è troppo comune: scegline una più difficile da indovinare.',
  'err.password.same_as_email': 'La password non può essere il tuo indirizzo e-mail.',
  'err.setup.done': 'piazza è già stata configurata: accedi invece.',
  'err.setup.bad_code': 'Codice di configurazione errato. Cerca “set-up code” sulla console del server.',
  'err.user.exists': 'Esiste già un utente con questa e-mail.',
  'err.user.disabled': 'Questo account è disattivato. Rivolgiti al titolare del tuo spazio di lavoro.',
  'err.user.last_owner':
    'Lo spazio di lavoro deve avere almeno un titolare attivo: prima nomina titolare qualcun altro.',
  'err.not_found': 'Non trovato nel tuo spazio di lavoro.',
};

const dictionaries: Record<Locale, Record<Key, string>> = { en, it };

/** Replaces {name} placeholders with the given values. */
export function format(text: string, vars?: Record<string, string | number>): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

/** The translation of key in locale, with placeholders filled. */
export function translate(locale: Locale, key: Key, vars?: Record<string, string | number>): string {
  return format(dictionaries[locale][key], vars);
}

/** Whether a dictionary has this key (for keys built at run time, e.g. error codes). */
export function hasKey(key: string): key is Key {
  return Object.prototype.hasOwnProperty.call(en, key);
}

export function isLocale(value: unknown): value is Locale {
  return value === 'it' || value === 'en';
}

const STORAGE_KEY = 'piazza.locale';

/** The language remembered in this browser, if any. */
export function storedLocale(): Locale | null {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return isLocale(value) ? value : null;
  } catch {
    return null; // storage disabled: behave as if nothing was remembered
  }
}

export function rememberLocale(locale: Locale): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    /* storage disabled: the choice lasts for this page only */
  }
}

/** Italian when the browser's first preferred language is Italian, else English. */
export function browserLocale(): Locale {
  const langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
  const first = (langs[0] || '').toLowerCase();
  return first.startsWith('it') ? 'it' : 'en';
}

/** The BCP 47 tag used for number and date formatting in each language. */
export function intlTag(locale: Locale): string {
  return locale === 'it' ? 'it-IT' : 'en-GB';
}
