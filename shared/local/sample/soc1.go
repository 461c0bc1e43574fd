package sample

import "trustcenter/shared/local/pdf"

const soc1Title = "SOC 1 Type II Report"

const restrictedSOC1 = "Restricted use. This report is intended only for Lumen Ledger, Inc., its user entities during " +
	"some or all of the period, and the independent auditors of those user entities, who need it when assessing " +
	"the risks of material misstatement in user entities' financial statements. It is provided under a " +
	"non-disclosure agreement and must not be passed on to anyone else."

func soc1() []pdf.Page {
	var d doc
	d.cover("SOC 1 Type II – restricted use", []string{
		"SOC 1 Type II Report",
		"Controls Relevant to User Entities' Financial Reporting",
	}, "Restricted use, under NDA.")
	d.p(restrictedSOC1)
	d.h2("Contents")
	d.bullets(
		"Section 1. Independent Service Auditor's Report",
		"Section 2. Assertion of Lumen Ledger, Inc. Management",
		"Section 3. Description of the "+System,
		"Section 4. Control Objectives, Control Activities, Tests and Results",
	)
	d.newPage()

	d.h1("Section 1. Independent Service Auditor's Report")
	d.p("To the Management of Lumen Ledger, Inc.")
	d.h2("Scope")
	d.p("We examined Lumen Ledger's description in Section 3 of its " + System + " for processing user " +
		"entities' supplier invoices, payments and bank reconciliations throughout the period 1 October 2025 " +
		"to 30 September 2026, and the suitability of the design and the operating effectiveness of the " +
		"controls in the description to achieve the control objectives stated in it.")
	d.p("The control objectives relate to user entities' internal control over financial reporting. The " +
		"description excludes the controls of Lumen Ledger's cloud infrastructure provider (the carve-out " +
		"method), and some control objectives can be achieved only if user entities operate the complementary " +
		"user entity controls that the description lists.")
	d.h2("Service auditor's responsibilities")
	d.p("We conducted our examination in accordance with Statement on Standards for Attestation Engagements " +
		"No. 18 (SSAE 18), AT-C section 320, issued by the AICPA. In this Type II examination we tested whether " +
		"the controls were suitably designed and operated effectively throughout the period; a Type I " +
		"examination would have addressed design and implementation at a single date only. Section 4 lists " +
		"our tests of controls and their results.")
	d.h2("Opinion")
	d.p("In our opinion, in all material respects, the description fairly presents the system as designed and " +
		"implemented throughout the period; the controls in it were suitably designed to provide reasonable " +
		"assurance that the stated control objectives would be achieved if the controls operated effectively; " +
		"and the controls tested operated effectively throughout the period to achieve those objectives.")
	d.p(restrictedSOC1)
	d.signature()
	d.newPage()

	d.h1("Section 2. Assertion of Lumen Ledger, Inc. Management")
	d.p("We have prepared the description in Section 3 for user entities of the " + System + " during some or " +
		"all of the period 1 October 2025 to 30 September 2026, and for their auditors, who have sufficient " +
		"understanding to consider it, along with other information, when assessing the risks of material " +
		"misstatement of user entities' financial statements.")
	d.p("We confirm, to the best of our knowledge and belief, that the description fairly presents the system " +
		"throughout the period, that the controls related to the control objectives were suitably designed, and " +
		"that they operated effectively throughout the period to achieve those objectives.")
	d.p("Lumen Ledger, Inc. management (SAMPLE)")

	d.h1("Section 3. Description of the " + System)
	d.h2("Transaction flow relevant to financial reporting")
	d.bullets(
		"Invoice capture: invoices received by e-mail, upload or API are read into records holding supplier, amount, currency, dates and general ledger coding.",
		"Validation: the platform checks each record against the supplier master data and flags duplicates before an invoice can be approved.",
		"Approval: invoices follow the approval chain the customer configured, based on amount and cost center.",
		"Payment: approved invoices are grouped into payment batches; the customer releases each batch, and the platform sends a signed payment file to the customer's bank.",
		"Reporting: ledger exports and the payments register feed customers' general ledgers; bank statement lines are matched to these entries daily.",
	)
	d.h2("Complementary user entity controls")
	d.bullets(
		"User entities maintain accurate supplier master data, including supplier bank account details.",
		"User entities configure approval limits consistent with their delegation of authority.",
		"User entities review and release payment batches and review unmatched reconciliation items.",
		"User entities grant and remove their own users' access to the platform.",
	)
	d.newPage()

	d.h1("Section 4. Control Objectives, Control Activities, Tests and Results")
	d.p("Sample sizes follow the frequency of each control. For automated controls, we tested the configuration " +
		"and one instance, and relied on tests of general IT controls (change management and logical access) " +
		"for consistent operation throughout the period.")
	d.h2("Control objective 1 – Transaction processing")
	d.p("Controls provide reasonable assurance that invoices received from user entities are recorded " +
		"completely, accurately and only once.")
	d.control("CO1.1",
		"The platform rejects an invoice whose supplier, invoice number and amount match an invoice already recorded for the same customer.",
		"Re-performed the control in the production environment by submitting a duplicate test invoice, and inspected the validation configuration.",
		"No exceptions noted.")
	d.control("CO1.2",
		"Invoices that fail validation are placed in an exception queue and cannot be approved until a user resolves them.",
		"Inspected the workflow configuration and observed a failed invoice remain blocked from approval.",
		"No exceptions noted.")
	d.h2("Control objective 2 – Payment processing")
	d.p("Controls provide reasonable assurance that payment files sent to banks are authorized, complete and " +
		"accurate, and are protected from change in transit.")
	d.control("CO2.1",
		"A payment batch is sent only after release by a user holding the payment releaser role, and its totals are checked against the approved invoices.",
		"Selected 25 payment batches, inspected the release record for each, and compared the file totals with the approved invoice totals.",
		"No exceptions noted.")
	d.control("CO2.2",
		"Payment files are signed and sent to banks over mutually authenticated, encrypted connections.",
		"Inspected the file transfer configuration and certificates, and the transmission log for a sample of 25 files.",
		"No exceptions noted.")
	d.h2("Control objective 3 – Change management")
	d.p("Controls provide reasonable assurance that changes to application programs and infrastructure that " +
		"affect financial processing are authorized, tested, approved and implemented correctly.")
	d.control("CO3.1",
		"Every change is peer reviewed and passes automated tests, including tests of invoice and payment calculations, before deployment.",
		"Selected 25 production deployments and inspected the review approval and the test results for each.",
		"No exceptions noted.")
	d.control("CO3.2",
		"Only the deployment pipeline can change production; engineers have no standing write access.",
		"Inspected the production access policies and the list of identities with deployment permissions.",
		"No exceptions noted.")
	d.h2("Control objective 4 – Logical access")
	d.p("Controls provide reasonable assurance that logical access to programs and data is limited to " +
		"authorized individuals.")
	d.control("CO4.1",
		"Production access requires single sign-on with multi-factor authentication and an approved access request.",
		"Inspected the identity provider configuration and selected 25 access grants to inspect their approvals.",
		"No exceptions noted.")
	d.control("CO4.2",
		"The security team reviews all production access every quarter and removes access that is no longer needed.",
		"Inspected the reviews for all four quarters and traced removals to the access logs.",
		"No exceptions noted.")
	d.h2("Control objective 5 – Computer operations")
	d.p("Controls provide reasonable assurance that scheduled processing runs completely and that failures are " +
		"identified and resolved.")
	d.control("CO5.1",
		"Failed scheduled jobs, such as the daily bank statement import, raise alerts that are resolved and documented by the on-call engineer.",
		"Selected 25 job failure alerts and inspected their resolution records.",
		"No exceptions noted.")
	return d.done()
}
